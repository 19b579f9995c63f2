// Files appended to a zip (how the TypeScript plugin gets into a .vsix) read back by the zip
// reader VS Code and vsce use (yauzl) and by the package test's own, with contents and modes.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { appendToZip, crc32 } from '../../../scripts/zipAppend.mjs';
import { zipEntries } from '../../e2e/harness/zipEntries';

interface YauzlEntry { fileName: string; externalFileAttributes: number }
interface YauzlZip {
  on(event: 'entry', cb: (e: YauzlEntry) => void): void;
  on(event: 'end' | 'error', cb: (e?: Error) => void): void;
  readEntry(): void;
  openReadStream(e: YauzlEntry, cb: (err: Error | null, s: NodeJS.ReadableStream) => void): void;
}
const yauzl = createRequire(require.resolve('@vscode/vsce/package.json'))('yauzl') as {
  open(file: string, options: { lazyEntries: boolean }, cb: (err: Error | null, zip: YauzlZip) => void): void;
};

/** Every entry's name, mode and text, read by yauzl (which checks the sizes). */
function readWithYauzl(file: string): Promise<{ name: string; mode: number; text: string }[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const out: { name: string; mode: number; text: string }[] = [];
      zip.on('error', reject);
      zip.on('end', () => resolve(out));
      zip.on('entry', (entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', reject);
          stream.on('end', () => {
            out.push({ name: entry.fileName, mode: (entry.externalFileAttributes >>> 16) & 0o777, text: Buffer.concat(chunks).toString('utf8') });
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

describe('packaging: appending files to a zip', function () {
  it("computes the CRC-32 zip records as Node's zlib does", function () {
    for (const text of ['', 'a', '123456789', 'déclaration '.repeat(100)]) assert.equal(crc32(Buffer.from(text)), zlib.crc32(Buffer.from(text)), text);
    assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926); // the check value of CRC-32/ISO-HDLC
  });

  it('keeps the entries there and adds the new ones, deflated, with their modes', async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-zip-'));
    try {
      const file = path.join(dir, 'a.zip');
      // An empty zip: only the end-of-central-directory record (22 bytes, the signature then zeros).
      const empty = Buffer.alloc(22);
      empty.writeUInt32LE(0x06054b50, 0);
      fs.writeFileSync(file, empty);
      appendToZip(file, [{ name: 'extension/dist/run', data: Buffer.from('#!/bin/sh\necho run\n'), mode: 0o755 }]);
      const long = 'déclaration '.repeat(500);
      appendToZip(file, [
        { name: 'extension/node_modules/p/package.json', data: Buffer.from('{"main":"dist/index.js"}'), mode: 0o644 },
        { name: 'extension/node_modules/p/dist/index.js', data: Buffer.from(long), mode: 0o644 },
      ]);
      const expected = [
        { name: 'extension/dist/run', mode: 0o755, text: '#!/bin/sh\necho run\n' },
        { name: 'extension/node_modules/p/package.json', mode: 0o644, text: '{"main":"dist/index.js"}' },
        { name: 'extension/node_modules/p/dist/index.js', mode: 0o644, text: long },
      ];
      assert.deepEqual(await readWithYauzl(file), expected);
      assert.deepEqual(zipEntries(file).map((e) => ({ name: e.name, mode: e.mode & 0o777, text: e.read().toString('utf8') })), expected);
      // Deflated: the repeated text takes far less room than its bytes.
      assert.ok(fs.statSync(file).size < Buffer.byteLength(long) / 4);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
