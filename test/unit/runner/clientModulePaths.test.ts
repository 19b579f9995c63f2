import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import * as esbuild from 'esbuild';
import { RunnerClient } from '../../../src/runner/client';

const ROOT = path.resolve(__dirname, '../../..');

// An installed extension ships no tfjs-node: the runner must find one in the workspace's
// node_modules. A stand-in package records that the runner required it, then fails to load
// as tfjs-node does without its native library; the runner falls back to another backend.
describe('RunnerClient modulePaths (tfjs-node from the workspace)', function () {
  this.timeout(120_000);
  let tmp: string;
  let client: RunnerClient | undefined;
  const markerVar = 'OPTLAB_TEST_TFJS_NODE_MARKER';

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-modpaths-'));
    const pkg = path.join(tmp, 'node_modules/@tensorflow/tfjs-node');
    fs.mkdirSync(pkg, { recursive: true });
    fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: '@tensorflow/tfjs-node', version: '0.0.0-test', main: 'index.js' }));
    fs.writeFileSync(
      path.join(pkg, 'index.js'),
      `require('fs').writeFileSync(process.env.${markerVar}, __filename);\nthrow new Error('stand-in tfjs-node without its native library');\n`,
    );
  });
  after(() => {
    client?.dispose();
    delete process.env[markerVar];
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('requires tfjs-node from the given node_modules folders, then falls back', async () => {
    // A runner bundle outside the repository (as in an installed extension: esbuild's API
    // bundled and pointed at its binary), so only modulePaths can answer the require.
    const runner = path.join(tmp, 'dist/runner.js');
    await esbuild.build({
      entryPoints: [path.join(ROOT, 'src/runner/main.ts')], outfile: runner, bundle: true, platform: 'node', format: 'cjs', target: 'node20',
      external: ['@tensorflow/tfjs-node'], logLevel: 'silent',
    });
    const fromEsbuild = createRequire(require.resolve('esbuild'));
    process.env.ESBUILD_BINARY_PATH ??= fromEsbuild.resolve(`@esbuild/${process.platform}-${process.arch}/bin/esbuild`);
    const marker = path.join(tmp, 'marker.txt');
    process.env[markerVar] = marker;
    client = new RunnerClient({ runnerPath: runner, modulePaths: [path.join(tmp, 'node_modules')] });
    const ready = await client.start();
    assert.equal(fs.readFileSync(marker, 'utf8'), path.join(tmp, 'node_modules/@tensorflow/tfjs-node/index.js'));
    assert.notEqual(ready.backend, 'node');
  });
});
