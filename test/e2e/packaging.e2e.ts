// The .vsix that `npm run package` makes: only what runs, small, and working once
// unpacked outside the repository (esbuild and the wasm binaries found from the bundle).
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RunnerClient } from '../../src/runner/client';
import { realVsix } from './harness/realVsix';
import { extractZip, zipEntries, type ZipEntry } from './harness/zipEntries';

const MAX_BYTES = 15 * 1024 * 1024;

describe('packaging: npm run package', function () {
  let vsix: string;
  let entries: ZipEntry[];
  const names = (): string[] => entries.map((e) => e.name);

  before(function () {
    this.timeout(240_000);
    vsix = realVsix();
    entries = zipEntries(vsix);
  });

  it(`is smaller than ${MAX_BYTES / 1024 / 1024} MB`, function () {
    const bytes = fs.statSync(vsix).size;
    const unpacked = entries.reduce((s, e) => s + e.size, 0);
    console.log(`      .vsix ${(bytes / 1e6).toFixed(2)} MB (${(unpacked / 1e6).toFixed(1)} MB unpacked, ${entries.length} files)`);
    assert.ok(bytes < MAX_BYTES, `${bytes} bytes`);
  });

  it('holds the bundles, esbuild (executable), the wasm binaries, the dashboard, the types and the walkthrough', function () {
    const required = [
      'extension/package.json',
      'extension/dist/extension.js',
      'extension/dist/runner.js',
      'extension/dist/esbuild',
      'extension/dist/tfjs-backend-wasm.wasm',
      'extension/dist/tfjs-backend-wasm-simd.wasm',
      'extension/media/dashboard.js',
      'extension/media/dashboard.css',
      'extension/dist/types/optimizer-lab/index.d.ts',
      'extension/docs/walkthrough/run.md',
    ];
    for (const name of required) assert.ok(names().includes(name), `missing ${name}`);
    assert.ok(names().some((n) => n.startsWith('extension/dist/types/tfjs-core/')), 'tfjs-core declarations');
    const esbuild = entries.find((e) => e.name === 'extension/dist/esbuild');
    assert.equal((esbuild?.mode ?? 0) & 0o111, 0o111, 'dist/esbuild is executable');
    // Every walkthrough step's markdown file exists in the package.
    const manifest = JSON.parse(entries.find((e) => e.name === 'extension/package.json')!.read().toString('utf8')) as {
      contributes: { walkthroughs: { steps: { media: { markdown: string } }[] }[] };
    };
    for (const step of manifest.contributes.walkthroughs.flatMap((w) => w.steps)) {
      assert.ok(names().includes(`extension/${step.media.markdown}`), `walkthrough step ${step.media.markdown}`);
    }
  });

  it('leaves out source maps, sources, tests, node_modules and tooling', function () {
    const unwanted = names().filter((n) =>
      /\.map$|\.ts$(?<!\.d\.ts)|^extension\/(src|test|webview|scripts|bench|examples|node_modules|out|\.artifacts)\//.test(n) || /tsconfig|eslint/.test(n),
    );
    assert.deepEqual(unwanted, []);
  });

  it('runs an objective from the unpacked package with the wasm backend (no node_modules around it)', async function () {
    this.timeout(60_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-unpacked-'));
    const client = new RunnerClient({ runnerPath: path.join(dir, 'extension/dist/runner.js'), onOutput: () => undefined });
    try {
      extractZip(vsix, dir);
      const objective = path.join(dir, 'rosenbrock.ts');
      fs.copyFileSync(path.join(__dirname, '../../examples/rosenbrock.ts'), objective);
      const ready = await client.start();
      assert.equal(ready.backend, 'wasm');
      const losses: number[] = [];
      const outcome = await client.run(
        { file: objective, optimizer: { id: 'adam', lr: 0.02, hp: {} }, steps: 200 },
        { onSteps: (steps) => losses.push(...steps.map((s) => s.loss)) },
      ).result;
      assert.equal(outcome.kind, 'done', JSON.stringify(outcome));
      assert.equal(losses.length, 200);
      // Rosenbrock from (−1.2, 1): 24.2 at the start.
      if (outcome.kind === 'done') assert.ok(outcome.done.final.loss < losses[0] / 2, `final loss ${outcome.done.final.loss} vs first ${losses[0]}`);
    } finally {
      client.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
