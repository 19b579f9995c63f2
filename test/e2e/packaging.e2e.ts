// The .vsix that `npm run package` makes: only what runs, small, and working once
// unpacked outside the repository (esbuild and the wasm binaries found from the bundle).
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import ts from 'typescript';
import { hostTarget, targetInfo } from '../../scripts/packageTargets.mjs';
import { RunnerClient } from '../../src/runner/client';
import { MAX_VSIX_BYTES, checkTargetPackage } from '../packaging/targetPackage';
import { realVsix } from './harness/realVsix';
import { extractZip, zipEntries, type ZipEntry } from './harness/zipEntries';

const PLUGIN = 'optimizer-lab-ts-plugin';

describe('packaging: npm run package', function () {
  let vsix: string;
  let entries: ZipEntry[];
  const names = (): string[] => entries.map((e) => e.name);

  before(function () {
    this.timeout(240_000);
    vsix = realVsix();
    entries = zipEntries(vsix);
  });

  it(`is a package for this machine (${hostTarget()}): its esbuild only, the wasm backend, the icon, under ${MAX_VSIX_BYTES / 1024 / 1024} MB`, function () {
    const bytes = checkTargetPackage(vsix, hostTarget());
    const unpacked = entries.reduce((s, e) => s + e.size, 0);
    console.log(`      .vsix ${(bytes / 1e6).toFixed(2)} MB (${(unpacked / 1e6).toFixed(1)} MB unpacked, ${entries.length} files)`);
  });

  it('holds the bundles, esbuild (executable), the wasm binaries, the dashboard, the types and the walkthrough', function () {
    const required = [
      'extension/package.json',
      'extension/dist/extension.js',
      'extension/dist/runner.js',
      // TypeScript's parser, which finds objectives and rules off the extension host's thread.
      'extension/dist/discoveryWorker.js',
      `extension/dist/${targetInfo(hostTarget()).distFile}`,
      'extension/dist/tfjs-backend-wasm.wasm',
      'extension/dist/tfjs-backend-wasm-simd.wasm',
      'extension/media/dashboard.js',
      'extension/media/dashboard.css',
      'extension/dist/types/optimizer-lab/index.d.ts',
      // The optimizer-rule contract that index.d.ts re-exports (copied from src/core/rules/optimizerRule.ts).
      'extension/dist/types/optimizer-lab/optimizerRule.d.ts',
      'extension/docs/walkthrough/run.md',
      // The TypeScript server plugin, where tsserver looks for it (see scripts/package.mjs).
      `extension/node_modules/${PLUGIN}/package.json`,
      `extension/node_modules/${PLUGIN}/dist/index.js`,
    ];
    for (const name of required) assert.ok(names().includes(name), `missing ${name}`);
    // TypeScript is loaded by the worker only, never at activation.
    const extensionJs = entries.find((e) => e.name === 'extension/dist/extension.js')!.read().toString('utf8');
    assert.doesNotMatch(extensionJs, /createSourceFile/, 'the extension bundle holds TypeScript');
    assert.ok(names().some((n) => n.startsWith('extension/dist/types/tfjs-core/')), 'tfjs-core declarations');
    // Every walkthrough step's markdown file exists in the package.
    const manifest = JSON.parse(entries.find((e) => e.name === 'extension/package.json')!.read().toString('utf8')) as {
      contributes: { walkthroughs: { steps: { media: { markdown: string } }[] }[]; typescriptServerPlugins: { name: string }[] };
    };
    assert.deepEqual(manifest.contributes.typescriptServerPlugins.map((p) => p.name), [PLUGIN]);
    const pluginManifest = JSON.parse(entries.find((e) => e.name === `extension/node_modules/${PLUGIN}/package.json`)!.read().toString('utf8')) as { name: string; main: string };
    assert.deepEqual([pluginManifest.name, pluginManifest.main], [PLUGIN, 'dist/index.js']);
    for (const step of manifest.contributes.walkthroughs.flatMap((w) => w.steps)) {
      assert.ok(names().includes(`extension/${step.media.markdown}`), `walkthrough step ${step.media.markdown}`);
    }
  });

  it('leaves out source maps, sources, tests, node_modules (but the plugin package) and tooling', function () {
    const unwanted = names().filter((n) =>
      /\.map$|\.ts$(?<!\.d\.ts)|^extension\/(src|test|webview|scripts|bench|examples|node_modules|out|tsPlugin|\.artifacts)\//.test(n) || /tsconfig|eslint/.test(n),
    );
    assert.deepEqual(unwanted.filter((n) => !n.startsWith(`extension/node_modules/${PLUGIN}/`)), []);
    assert.deepEqual(unwanted.filter((n) => n.startsWith('extension/node_modules/')).sort(), [
      `extension/node_modules/${PLUGIN}/dist/index.js`,
      `extension/node_modules/${PLUGIN}/package.json`,
    ]);
  });

  it('the unpacked TypeScript plugin falls back to the declarations of its own extension folder', function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-unpacked-plugin-'));
    try {
      extractZip(vsix, dir);
      // Loaded as tsserver loads it: node resolution of the name from the extension's node_modules.
      const init = createRequire(path.join(dir, 'extension/node_modules/probe.js'))(PLUGIN) as ts.server.PluginModuleFactory;
      const logs: string[] = [];
      // The part of tsserver's plugin info the plugin uses: a host whose resolution finds nothing.
      const host = {
        resolveModuleNameLiterals: (names: readonly ts.StringLiteralLike[]) => names.map(() => ({ resolvedModule: undefined })),
      } as unknown as ts.LanguageServiceHost;
      const info = { languageServiceHost: host, languageService: {}, config: {}, project: { projectService: { logger: { info: (m: string) => logs.push(m) } } } } as unknown as ts.server.PluginCreateInfo;
      init({ typescript: ts }).create(info);
      const literal = ts.factory.createStringLiteral('@tensorflow/tfjs');
      const [resolved] = host.resolveModuleNameLiterals!([literal], path.join(dir, 'objective.ts'), undefined, {}, ts.createSourceFile('objective.ts', '', ts.ScriptTarget.ES2022), undefined);
      assert.equal(resolved.resolvedModule?.resolvedFileName, path.join(dir, 'extension/dist/types/tfjs/index.d.ts'), logs.join('\n'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
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
