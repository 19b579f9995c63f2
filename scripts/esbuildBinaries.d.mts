// Types of esbuildBinaries.mjs, for its test.
export declare function esbuildVersion(): string;
export declare function fileFromTarball(tgz: string, name: string): Buffer;
export declare function esbuildBinary(target: string, version?: string): string;
