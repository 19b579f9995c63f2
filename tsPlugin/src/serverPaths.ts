/**
 * File names as the TypeScript server sees them. It names files with forward slashes on every
 * platform, and on Windows (case-insensitive file systems) may give the drive letter in another
 * case than Node's __dirname does (`c:/Users/...` against `C:\Users\...`).
 */
import * as path from 'node:path';

/** The path module of the platform the server runs on (path.win32 or path.posix in tests). */
export type PathApi = Pick<typeof path, 'sep'>;

const isWindows = (pathApi: PathApi): boolean => pathApi.sep === '\\';

/** A file name as the server writes it: forward slashes (Windows' backslashes turned). */
export function toServerPath(file: string, pathApi: PathApi = path): string {
  return isWindows(pathApi) ? file.replace(/\\/g, '/') : file;
}

/** Whether `file` lies inside `dir`, whichever slashes either uses; without case on Windows. */
export function isInside(file: string, dir: string, pathApi: PathApi = path): boolean {
  const fold = (p: string): string => (isWindows(pathApi) ? toServerPath(p, pathApi).toLowerCase() : p);
  const prefix = fold(toServerPath(dir, pathApi)).replace(/\/$/, '');
  return fold(toServerPath(file, pathApi)).startsWith(`${prefix}/`);
}
