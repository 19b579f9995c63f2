/**
 * Reads a zip's entries through its central directory (as unzip does), checking each entry's
 * CRC-32 with node's zlib, so the webview's writer (webview/exports/storedZip.ts) is checked by
 * independent code. Stored entries only (method 0), which is all the writer makes.
 */
import * as assert from 'node:assert/strict';
import * as zlib from 'node:zlib';

export function readStoredZip(zip: Buffer): { name: string; bytes: Buffer }[] {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(end >= 0, 'an end-of-central-directory record');
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const out: { name: string; bytes: Buffer }[] = [];
  for (let i = 0; i < count; i++) {
    assert.equal(zip.readUInt32LE(at), 0x02014b50, `central header ${i}`);
    assert.equal(zip.readUInt16LE(at + 10), 0, 'stored');
    const crc = zip.readUInt32LE(at + 16), size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28), extra = zip.readUInt16LE(at + 30), comment = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    assert.equal(zip.readUInt32LE(local), 0x04034b50, `local header of ${name}`);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const bytes = zip.subarray(start, start + size);
    assert.equal(zlib.crc32(bytes), crc, `CRC of ${name}`);
    out.push({ name, bytes });
    at += 46 + nameLength + extra + comment;
  }
  return out;
}
