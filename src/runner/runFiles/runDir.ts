/**
 * Saved run files on disk, read asynchronously: the headers of a folder (what lists show, read from each
 * file's first line only), one run in full, and whole-file writes that never leave a half-written file
 * (written beside, then renamed over). A file that is not a saved run is skipped with a warning.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { SavedRunHeader } from '../../protocol/savedRun';
import { RUN_FILE_EXTENSION, RunFileError, parseRunFile, readHeader, type ParsedRunFile } from './runFileFormat';

/** The header line is read in chunks of this many bytes until its newline. */
const CHUNK_BYTES = 16 * 1024;

export interface RunFileEntry {
  readonly path: string;
  readonly header: SavedRunHeader;
  /** Size on disk in bytes. */
  readonly bytes: number;
  readonly modifiedMs: number;
}

async function firstLine(file: string): Promise<string> {
  const handle = await fs.open(file, 'r');
  try {
    const chunks: Buffer[] = [];
    for (let position = 0; ; position += CHUNK_BYTES) {
      const buffer = Buffer.alloc(CHUNK_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, position);
      const newline = buffer.subarray(0, bytesRead).indexOf(10);
      chunks.push(buffer.subarray(0, newline >= 0 ? newline : bytesRead));
      if (newline >= 0 || bytesRead < CHUNK_BYTES) break;
    }
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    await handle.close();
  }
}

/** Every saved run's header in `dir` (none when it does not exist); unreadable files go to `warn` and are skipped. */
export async function listRunFiles(dir: string, warn: (message: string) => void): Promise<RunFileEntry[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const entries: RunFileEntry[] = [];
  for (const name of names.filter((n) => n.endsWith(RUN_FILE_EXTENSION)).sort()) {
    const file = path.join(dir, name);
    try {
      const [line, stat] = await Promise.all([firstLine(file), fs.stat(file)]);
      entries.push({ path: file, header: readHeader(line, file), bytes: stat.size, modifiedMs: stat.mtimeMs });
    } catch (e) {
      warn(e instanceof RunFileError ? e.message : `${file}: ${(e as Error).message}`);
    }
  }
  return entries;
}

/** One saved run in full (throws RunFileError for a file that is not one). */
export async function readRunFile(file: string): Promise<ParsedRunFile> {
  return parseRunFile(await fs.readFile(file, 'utf8'), file);
}

/** Writes `text` to `file` whole: into a temporary file beside it, then renamed over it. */
export async function writeFileWhole(file: string, text: string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temporary, text);
  await fs.rename(temporary, file);
}
