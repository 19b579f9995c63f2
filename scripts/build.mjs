// One build script for every bundle. Entries that do not exist yet are skipped,
// so the script grows with the project instead of being rewritten.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildTypes } from './buildTypes.mjs';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const watch = process.argv.includes('--watch');

const nodeBundles = [
  { in: 'src/runner/main.ts', out: 'dist/runner.js' },
  { in: 'src/runner/cli.ts', out: 'dist/cli.js' },
  // Minified: half the parse time at activation (zod is most of it); the source map keeps stacks readable.
  { in: 'src/extension.ts', out: 'dist/extension.js', external: ['vscode'], minify: true },
];
const browserBundles = [{ in: 'webview/main.ts', out: 'media/dashboard.js' }];

const builds = [
  ...nodeBundles.map((b) => ({
    entryPoints: [path.join(root, b.in)], outfile: path.join(root, b.out),
    bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: true, minify: b.minify ?? false,
    // esbuild runs its native binary from its own package folder: it cannot be bundled (the runner compiles objectives with it).
    external: [...(b.external ?? []), '@tensorflow/tfjs-node', 'esbuild'],
  })),
  ...browserBundles.map((b) => ({
    entryPoints: [path.join(root, b.in)], outfile: path.join(root, b.out),
    bundle: true, platform: 'browser', format: 'iife', target: 'es2022', sourcemap: true,
  })),
].filter((b) => fs.existsSync(b.entryPoints[0]));

function copyWasm() {
  const dir = path.join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  fs.mkdirSync(path.join(root, 'dist'), { recursive: true });
  // Node runs the wasm backend single-threaded (tfjs#3830): the threaded binary is not shipped.
  for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm']) {
    fs.copyFileSync(path.join(dir, f), path.join(root, 'dist', f));
  }
}

copyWasm();
// Type declarations for users' objective files (copied into their workspace by the extension).
buildTypes();
if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build({ ...b, logLevel: 'warning' })));
  console.log(`built ${builds.length} bundle(s)`);
}
