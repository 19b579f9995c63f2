// One build script for every bundle. Entries that do not exist yet are skipped,
// so the script grows with the project instead of being rewritten.
import { execFileSync } from 'node:child_process';
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { buildTypes } from './buildTypes.mjs';
import { esbuildBanner, esbuildBinaryFile } from './packageTargets.mjs';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const watch = process.argv.includes('--watch');

// The runner compiles objective files with esbuild. Its JS API is bundled (no node_modules ship
// in the .vsix) and pointed, when the runner starts, at the native binary copied next to the
// bundle (scripts/packageTargets.mjs: the same bundle ships for every platform).
const esbuildBinaryName = esbuildBinaryFile(process.platform);

const nodeBundles = [
  { in: 'src/runner/main.ts', out: 'dist/runner.js', bundleEsbuild: true },
  { in: 'src/runner/cli.ts', out: 'dist/cli.js' },
  // Minified: half the parse time at activation (zod is most of it); the source map keeps stacks readable.
  { in: 'src/extension.ts', out: 'dist/extension.js', external: ['vscode'], minify: true },
  // TypeScript's parser, for finding objectives, rules and schedules off the extension host's thread.
  { in: 'src/host/discovery/discoveryWorker.ts', out: 'dist/discoveryWorker.js', minify: true },
  // The TypeScript server plugin, a package of its own (tsPlugin/package.json's main);
  // scripts/package.mjs ships it as node_modules/optimizer-lab-ts-plugin, where tsserver looks.
  { in: 'tsPlugin/src/index.ts', out: 'tsPlugin/dist/index.js' },
];
const browserBundles = [{ in: 'webview/main.ts', out: 'media/dashboard.js' }];

const builds = [
  ...nodeBundles.map((b) => ({
    entryPoints: [path.join(root, b.in)], outfile: path.join(root, b.out),
    bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: true, minify: b.minify ?? false,
    // tfjs-node is optional and never bundled (native); esbuild is bundled only where the banner points it at its binary.
    external: [...(b.external ?? []), '@tensorflow/tfjs-node', ...(b.bundleEsbuild ? [] : ['esbuild'])],
    // esbuild's require.resolve of itself runs only without ESBUILD_BINARY_PATH, which the banner sets.
    ...(b.bundleEsbuild ? { banner: { js: esbuildBanner() }, logOverride: { 'require-resolve-not-external': 'silent' } } : {}),
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

/** The esbuild binary of this platform (the one the installed esbuild package runs), next to the runner bundle. */
function copyEsbuildBinary() {
  const requireFromEsbuild = createRequire(createRequire(import.meta.url).resolve('esbuild'));
  const pkg = `@esbuild/${process.platform}-${process.arch}`;
  const binary = requireFromEsbuild.resolve(process.platform === 'win32' ? `${pkg}/esbuild.exe` : `${pkg}/bin/esbuild`);
  const target = path.join(root, 'dist', esbuildBinaryName);
  // Copied beside it and renamed over it: a runner may be running the old binary (ETXTBSY on Linux).
  const copy = `${target}.${process.pid}.tmp`;
  fs.copyFileSync(binary, copy);
  fs.chmodSync(copy, 0o755);
  fs.renameSync(copy, target);
}

/**
 * dist/optimizers.json: the optimizer catalogue as `optlab list-optimizers --json` prints it (the runner derives
 * it from the registry). The editor host reads it instead of loading TensorFlow.js or starting the runner for a
 * menu; generated, never committed. Takes about a second (the runner starts once).
 */
function writeOptimizerCatalog() {
  const json = execFileSync(process.execPath, [path.join(root, 'dist/cli.js'), 'list-optimizers', '--json'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  JSON.parse(json); // fails the build on anything but JSON
  fs.writeFileSync(path.join(root, 'dist/optimizers.json'), json);
}

copyWasm();
copyEsbuildBinary();
// Type declarations for users' objective files (copied into their workspace by the extension).
buildTypes();
if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build({ ...b, logLevel: 'warning' })));
  writeOptimizerCatalog();
  console.log(`built ${builds.length} bundle(s) and dist/optimizers.json`);
}
