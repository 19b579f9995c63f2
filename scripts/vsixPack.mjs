// A .vsix per VS Code target, made from the built tree (npm run build) without touching it: what
// vsce would pack (.vscodeignore) and the TypeScript plugin are copied once to a staging folder (a
// snapshot: other builds may rewrite dist/ meanwhile); for each target, esbuild's binary there is
// that target's, vsce packs the folder, and the plugin is appended to the zip.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { ESBUILD_BINARY_FILES, targetInfo } from './packageTargets.mjs';
import { appendToZip } from './zipAppend.mjs';

const requireFromHere = createRequire(import.meta.url);
const vsce = requireFromHere('@vscode/vsce/out/package.js');
// Left out by the staged .vscodeignore (its first line ignores everything not listed).
const PLUGIN_DIR = 'tsPlugin';

/**
 * Copies what vsce packs from `root` (.vscodeignore applied), without any esbuild binary, and the
 * TypeScript plugin's package into a new staging folder; returns its path (remove it when done).
 */
export async function stageExtension(root) {
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-stage-'));
  const leftOut = new Set(ESBUILD_BINARY_FILES.map((f) => `dist/${f}`));
  const plugin = JSON.parse(fs.readFileSync(path.join(root, PLUGIN_DIR, 'package.json'), 'utf8'));
  const pluginFiles = ['package.json', plugin.main].map((f) => `${PLUGIN_DIR}/${f}`);
  for (const f of pluginFiles) if (!fs.existsSync(path.join(root, f))) throw new Error(`${f} missing: run npm run build`);
  const files = (await vsce.listFiles({ cwd: root, dependencies: false })).map((f) => f.split(path.sep).join('/'));
  // vsce warns about a folder without .vscodeignore; the staged one already holds only what ships.
  for (const rel of [...files.filter((f) => !leftOut.has(f)), '.vscodeignore', ...pluginFiles]) {
    fs.mkdirSync(path.dirname(path.join(staging, rel)), { recursive: true });
    fs.copyFileSync(path.join(root, rel), path.join(staging, rel));
  }
  return staging;
}

/** Runs `fn` with vsce's warnings (console.warn) collected and its file tree (console.log) dropped. */
async function collectingWarnings(fn) {
  const warnings = [];
  const { warn, log } = console;
  console.warn = (...args) => warnings.push(args.join(' '));
  console.log = () => undefined;
  try {
    await fn();
  } finally {
    Object.assign(console, { warn, log });
  }
  return warnings;
}

/**
 * Packs the staged extension (stageExtension) for `target` with `binary` as its esbuild, into
 * `out`. `scanSecrets`: false skips vsce's secret scan, for a package whose files but esbuild's
 * binary were scanned already. README images stay relative: VS Code shows them from the installed
 * extension folder (docs/images ships), no repository URL needed. Returns vsce's warnings (none
 * expected) and each step's milliseconds.
 */
export async function packStaged({ staging, target, binary, out, scanSecrets = true }) {
  const ms = {};
  const timed = async (step, fn) => {
    const t0 = Date.now();
    const result = await fn();
    ms[step] = Date.now() - t0;
    return result;
  };
  for (const f of ESBUILD_BINARY_FILES) fs.rmSync(path.join(staging, 'dist', f), { force: true });
  const esbuild = path.join(staging, 'dist', targetInfo(target).distFile);
  fs.copyFileSync(binary, esbuild);
  fs.chmodSync(esbuild, 0o755);
  const warnings = await timed('vsce', () =>
    collectingWarnings(() =>
      vsce.pack({ cwd: staging, packagePath: out, target, dependencies: false, rewriteRelativeLinks: false, allowPackageAllSecrets: !scanSecrets }),
    ),
  );
  await timed('plugin', () => addPlugin(staging, out));
  return { warnings, ms };
}

/** stageExtension, then packStaged for one target. */
export async function packTarget({ root, target, binary, out }) {
  const staging = await stageExtension(root);
  try {
    return await packStaged({ staging, target, binary, out });
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * The TypeScript server plugin (contributes.typescriptServerPlugins) must sit at
 * extension/node_modules/<name>: tsserver resolves plugins from the extension's
 * node_modules. vsce without dependencies never packs node_modules, so the plugin's
 * package (its package.json and the bundle it names) is appended to the .vsix here.
 */
function addPlugin(staging, vsix) {
  const plugin = path.join(staging, PLUGIN_DIR);
  const manifest = JSON.parse(fs.readFileSync(path.join(plugin, 'package.json'), 'utf8'));
  const files = ['package.json', manifest.main];
  appendToZip(vsix, files.map((f) => ({ name: `extension/node_modules/${manifest.name}/${f}`, data: fs.readFileSync(path.join(plugin, f)), mode: 0o644 })));
}
