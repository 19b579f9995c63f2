// Headers built by hand from the formats' specifications, and the esbuild binary installed here.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import { binaryKind } from '../../packaging/binaryFormat';

function elf(machine: number): Buffer {
  const b = Buffer.alloc(64);
  b.write('\x7fELF', 0, 'latin1');
  b[4] = 2; // 64-bit
  b[5] = 1; // little-endian
  b.writeUInt16LE(machine, 0x12);
  return b;
}

function macho(cpu: number): Buffer {
  const b = Buffer.alloc(32);
  b.writeUInt32LE(0xfeedfacf, 0);
  b.writeUInt32LE(cpu, 4);
  return b;
}

function pe(machine: number): Buffer {
  const b = Buffer.alloc(0x100);
  b.write('MZ', 0, 'latin1');
  b.writeUInt32LE(0x80, 0x3c);
  b.write('PE\0\0', 0x80, 'latin1');
  b.writeUInt16LE(machine, 0x84);
  return b;
}

describe('packaging: binary format from headers', function () {
  it('tells ELF, Mach-O and PE apart, x86-64 from arm64', function () {
    assert.deepEqual(binaryKind(elf(62)), { format: 'elf', arch: 'x64' });
    assert.deepEqual(binaryKind(elf(183)), { format: 'elf', arch: 'arm64' });
    assert.deepEqual(binaryKind(macho(0x01000007)), { format: 'macho', arch: 'x64' });
    assert.deepEqual(binaryKind(macho(0x0100000c)), { format: 'macho', arch: 'arm64' });
    assert.deepEqual(binaryKind(pe(0x8664)), { format: 'pe', arch: 'x64' });
    assert.deepEqual(binaryKind(pe(0xaa64)), { format: 'pe', arch: 'arm64' });
    assert.deepEqual(binaryKind(elf(40)), { format: 'elf', arch: 'other' }); // 32-bit ARM
  });

  it('is undefined for what is not a native executable: wasm, JavaScript, a lone MZ', function () {
    assert.equal(binaryKind(Buffer.from([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0])), undefined);
    assert.equal(binaryKind(Buffer.from("'use strict';\nrequire('x');\n".repeat(4))), undefined);
    assert.equal(binaryKind(Buffer.concat([Buffer.from('MZ'), Buffer.alloc(0x40)])), undefined);
  });

  it("reads this machine's esbuild binary as this machine's format and arch", function () {
    const pkg = `@esbuild/${process.platform}-${process.arch}`;
    const requireFromEsbuild = createRequire(require.resolve('esbuild'));
    const binary = requireFromEsbuild.resolve(process.platform === 'win32' ? `${pkg}/esbuild.exe` : `${pkg}/bin/esbuild`);
    const format = { linux: 'elf', darwin: 'macho', win32: 'pe' }[process.platform as string];
    assert.deepEqual(binaryKind(fs.readFileSync(binary)), { format, arch: process.arch });
  });
});
