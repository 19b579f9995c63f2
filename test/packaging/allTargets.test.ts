// The package test on every .vsix of npm run package:all (which runs this file with
// OPTLAB_VSIX_DIR set). Alone: `npx mocha --no-config -r tsx/cjs --extension ts test/packaging/allTargets.test.ts`
// after npm run package:all; it skips, saying why, when the packages are not there.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TARGETS } from '../../scripts/packageTargets.mjs';
import { checkTargetPackage } from './targetPackage';

const dir = process.env.OPTLAB_VSIX_DIR ?? path.join(__dirname, '../../vsix');
const { name, version } = JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as { name: string; version: string };

describe('packaging: npm run package:all', function () {
  for (const target of Object.keys(TARGETS)) {
    it(`${target}: its own esbuild only, executable, the wasm backend, under 15 MB`, function () {
      const vsix = path.join(dir, `${name}-${version}-${target}.vsix`);
      if (!fs.existsSync(vsix)) {
        console.log(`      skipped: no ${vsix} (npm run package:all makes it; it downloads esbuild's packages)`);
        this.skip();
      }
      const bytes = checkTargetPackage(vsix, target);
      console.log(`      ${path.basename(vsix)}: ${(bytes / 1e6).toFixed(2)} MB`);
      assert.ok(bytes > 0);
    });
  }
});
