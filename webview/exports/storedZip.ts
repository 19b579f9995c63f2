/**
 * A zip archive without compression (method 0, "stored"): enough to hand the
 * replay's PNG frames to the host as one file. PNGs are compressed already,
 * so deflating them again would gain little; no library needed.
 */

export interface ZipEntry {
  name: string;
  bytes: Uint8Array;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (the zip and PNG polynomial). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Little-endian header fields, written in order. */
function header(fields: readonly [number, 2 | 4][]): Uint8Array {
  const size = fields.reduce((s, [, w]) => s + w, 0);
  const view = new DataView(new ArrayBuffer(size));
  let at = 0;
  for (const [value, width] of fields) {
    if (width === 2) view.setUint16(at, value, true);
    else view.setUint32(at, value >>> 0, true);
    at += width;
  }
  return new Uint8Array(view.buffer);
}

/** Fixed DOS time/date of every entry (1 Jan 2020): the archive depends only on its contents. */
const DOS_TIME = 0, DOS_DATE = ((2020 - 1980) << 9) | (1 << 5) | 1;

/** The archive's bytes: local headers and data, then the central directory and its end record. */
export function storedZip(entries: readonly ZipEntry[]): Uint8Array<ArrayBuffer> {
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const { name, bytes } of entries) {
    const nameBytes = encoder.encode(name);
    const crc = crc32(bytes);
    const local = header([[0x04034b50, 4], [20, 2], [0x0800, 2], [0, 2], [DOS_TIME, 2], [DOS_DATE, 2], [crc, 4], [bytes.length, 4], [bytes.length, 4], [nameBytes.length, 2], [0, 2]]);
    parts.push(local, nameBytes, bytes);
    central.push(header([
      [0x02014b50, 4], [20, 2], [20, 2], [0x0800, 2], [0, 2], [DOS_TIME, 2], [DOS_DATE, 2], [crc, 4], [bytes.length, 4], [bytes.length, 4],
      [nameBytes.length, 2], [0, 2], [0, 2], [0, 2], [0, 2], [0, 4], [offset, 4],
    ]), nameBytes);
    offset += local.length + nameBytes.length + bytes.length;
  }
  const centralSize = central.reduce((s, b) => s + b.length, 0);
  const end = header([[0x06054b50, 4], [0, 2], [0, 2], [entries.length, 2], [entries.length, 2], [centralSize, 4], [offset, 4], [0, 2]]);
  const all = [...parts, ...central, end];
  const out = new Uint8Array(all.reduce((s, b) => s + b.length, 0));
  let at = 0;
  for (const b of all) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}
