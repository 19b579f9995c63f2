/**
 * Activation benchmark: a plain `node` process (no TypeScript hooks) requires
 * dist/extension.js with a fake `vscode` module and calls activate(), as VS
 * Code does. Prints the median of several cold starts and the bundle size;
 * exits non-zero above the 100 ms budget or when the bundle contains TensorFlow.js.
 * Run: npx tsx scripts/measureActivation.ts
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';

const root = path.join(__dirname, '..');
const bundle = path.join(root, 'dist', 'extension.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-activation-'));
try {
  esbuild.buildSync({
    entryPoints: [path.join(root, 'test/unit/host/fake/vscode.ts')], bundle: true, platform: 'node', format: 'cjs',
    outfile: path.join(dir, 'node_modules', 'vscode', 'index.js'), logLevel: 'warning',
  });
  const probe = `
    const { performance } = require('node:perf_hooks');
    const vscode = require('vscode');
    const t0 = performance.now();
    const ext = require(${JSON.stringify(bundle)});
    const t1 = performance.now();
    const subscriptions = [];
    ext.activate({ subscriptions, extensionUri: vscode.Uri.file(${JSON.stringify(root)}) });
    const t2 = performance.now();
    subscriptions.forEach((d) => d.dispose());
    console.log(JSON.stringify({ require: t1 - t0, activate: t2 - t1, disposables: subscriptions.length }));`;
  const runs = Array.from({ length: 7 }, () => JSON.parse(execFileSync(process.execPath, ['-e', probe], { cwd: dir, env: { ...process.env, NODE_PATH: path.join(dir, 'node_modules') } }).toString()) as { require: number; activate: number; disposables: number });
  const median = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const req = median(runs.map((r) => r.require));
  const act = median(runs.map((r) => r.activate));
  const text = fs.readFileSync(bundle, 'utf8');
  const tfjs = /@tensorflow\/tfjs-core\/dist|registerKernel\(|ENGINE\.runKernel/.test(text);
  console.log(`activation (median of ${runs.length} cold starts): require ${req.toFixed(1)} ms + activate ${act.toFixed(1)} ms = ${(req + act).toFixed(1)} ms`);
  console.log(`dist/extension.js ${(fs.statSync(bundle).size / 1024).toFixed(0)} KiB, TensorFlow.js inside: ${tfjs ? 'YES' : 'no'}, disposables registered: ${runs[0].disposables}`);
  if (req + act > 100 || tfjs) process.exitCode = 1;
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
