import * as fs from 'node:fs';
import * as zlib from 'node:zlib';

export interface ZipEntry {
  readonly name: string;
  readonly size: number;
  readonly compressedSize: number;
  /** Unix mode bits (0 when the archive did not record them). */
  readonly mode: number;
  /** The entry's bytes (stored or deflated entries). */
  read(): Buffer;
}

/** The entries of a zip file (a .vsix), read from its central directory. */
export function zipEntries(file: string): ZipEntry[] {
  const buf = fs.readFileSync(file);
  // End of central directory: signature 0x06054b50 within the last 64 KiB (comment length).
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${file} is not a zip file`);
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(at) !== 0x02014b50) throw new Error(`bad central directory entry at ${at}`);
    const method = buf.readUInt16LE(at + 10);
    const compressedSize = buf.readUInt32LE(at + 20);
    const size = buf.readUInt32LE(at + 24);
    const nameLength = buf.readUInt16LE(at + 28);
    const extraLength = buf.readUInt16LE(at + 30);
    const commentLength = buf.readUInt16LE(at + 32);
    const mode = buf.readUInt32LE(at + 38) >>> 16;
    const local = buf.readUInt32LE(at + 42);
    const name = buf.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;
    const read = (): Buffer => {
      const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
      const data = buf.subarray(start, start + compressedSize);
      if (method === 0) return Buffer.from(data);
      if (method === 8) return zlib.inflateRawSync(data);
      throw new Error(`${name}: unsupported compression method ${method}`);
    };
    entries.push({ name, size, compressedSize, mode, read });
  }
  return entries;
}

/** Writes every file entry under `dir` (keeping executable bits), as VS Code does on install. */
export function extractZip(file: string, dir: string): void {
  for (const entry of zipEntries(file)) {
    if (entry.name.endsWith('/')) continue;
    const target = `${dir}/${entry.name}`;
    fs.mkdirSync(target.slice(0, target.lastIndexOf('/')), { recursive: true });
    fs.writeFileSync(target, entry.read(), { mode: entry.mode & 0o777 || 0o644 });
  }
}
