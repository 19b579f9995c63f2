// Types of packageTargets.mjs, for the tests that import it.
export type BinaryFormat = 'elf' | 'macho' | 'pe';
export interface TargetInfo {
  readonly target: string;
  readonly platform: 'linux' | 'darwin' | 'win32';
  readonly arch: 'x64' | 'arm64';
  readonly format: BinaryFormat;
  readonly npmPackage: string;
  readonly fileInTarball: string;
  readonly distFile: string;
}
export declare const TARGETS: Readonly<Record<string, string>>;
export declare const ESBUILD_BINARY_FILES: readonly string[];
export declare function esbuildBinaryFile(platform: string): string;
export declare function targetInfo(target: string): TargetInfo;
export declare function hostTarget(platform?: string, arch?: string): string;
export declare function esbuildBanner(): string;
