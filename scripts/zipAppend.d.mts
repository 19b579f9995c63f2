// Types of zipAppend.mjs, for its test.
export declare function appendToZip(file: string, files: readonly { name: string; data: Buffer; mode: number }[], mtime?: Date): void;
export declare function crc32(data: Uint8Array): number;
