// Adds files to an existing zip in place: the new entries are written where its central
// directory was, then the old directory, extended, after them. The packed entries are
// never read, inflated or deflated again (a .vsix is tens of MB of them).
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(data) {
  let c = 0xffffffff;
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** MS-DOS time and date fields of `date` (zip's timestamps). */
function dosTime(date) {
  const time = (date.getHours() << 11) | (date.getMinutes() << 5) | (date.getSeconds() >> 1);
  const day = ((date.getFullYear() - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate();
  return { time, day };
}

/** The end-of-central-directory record: its offset, the directory's entry count, size and offset. */
function endRecord(zip) {
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 65_557); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      return { at: i, count: zip.readUInt16LE(i + 10), size: zip.readUInt32LE(i + 12), offset: zip.readUInt32LE(i + 16) };
    }
  }
  throw new Error('not a zip file (no end of central directory)');
}

/** Appends `files` ({ name, data: Buffer, mode }) to the zip at `file`, deflated, with Unix modes. */
export function appendToZip(file, files, mtime = new Date()) {
  const zip = fs.readFileSync(file);
  const end = endRecord(zip);
  const { time, day } = dosTime(mtime);
  const locals = [];
  const directory = [zip.subarray(end.offset, end.offset + end.size)];
  let offset = end.offset;
  for (const f of files) {
    const name = Buffer.from(f.name, 'utf8');
    const packed = zlib.deflateRawSync(f.data);
    const crc = crc32(f.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed: deflate
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(day, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(f.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, packed);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, so the mode below counts
    local.copy(central, 6, 4, 30); // version needed .. name length: as in the local header
    central.writeUInt32LE(((0o100000 | f.mode) << 16) >>> 0, 38); // a regular file with its mode
    central.writeUInt32LE(offset, 42);
    directory.push(central, name);
    offset += 30 + name.length + packed.length;
  }
  const directoryBytes = Buffer.concat(directory);
  const record = Buffer.from(zip.subarray(end.at, zip.length));
  record.writeUInt16LE(end.count + files.length, 8);
  record.writeUInt16LE(end.count + files.length, 10);
  record.writeUInt32LE(directoryBytes.length, 12);
  record.writeUInt32LE(offset, 16);
  const out = Buffer.concat([zip.subarray(0, end.offset), ...locals, directoryBytes, record]);
  fs.writeFileSync(file, out);
}
