// Taking esbuild's binary out of an npm tarball (as npm pack writes them: gzipped ustar,
// everything under package/), on a tarball made here by the system's tar. No network.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileFromTarball } from '../../../scripts/esbuildBinaries.mjs';

describe('packaging: a file out of an npm tarball', function () {
  it('finds package/bin/esbuild among others, byte for byte, and names what is missing', function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-tgz-'));
    try {
      const binary = Buffer.from(Array.from({ length: 1300 }, (_, i) => (i * 7) % 256)); // not a multiple of 512
      fs.mkdirSync(path.join(dir, 'package/bin'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'package/README.md'), 'esbuild\n'.repeat(100));
      fs.writeFileSync(path.join(dir, 'package/bin/esbuild'), binary);
      fs.writeFileSync(path.join(dir, 'package/package.json'), '{}');
      const tgz = path.join(dir, 'p.tgz');
      execFileSync('tar', ['--format=ustar', '-czf', tgz, '-C', dir, 'package/README.md', 'package/bin/esbuild', 'package/package.json']);
      assert.deepEqual(fileFromTarball(tgz, 'package/bin/esbuild'), binary);
      assert.equal(fileFromTarball(tgz, 'package/package.json').toString(), '{}');
      assert.throws(() => fileFromTarball(tgz, 'package/esbuild.exe'), /package\/esbuild\.exe not in .*p\.tgz/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
