// One .vsix for one VS Code target, made from the built tree (npm run build) without touching it:
// the files vsce would pack (.vscodeignore) are copied to a staging folder, esbuild's binary there
// is the target's, vsce packs the folder, and the TypeScript server plugin is added to the zip.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { ESBUILD_BINARY_FILES, targetInfo } from './packageTargets.mjs';
import { appendToZip } from './zipAppend.mjs';

const requireFromHere = createRequire(import.meta.url);
const vsce = requireFromHere('@vscode/vsce/out/package.js');

/** What vsce packs from `root` (.vscodeignore applied), relative paths; the same for every target. */
export function shippedFiles(root) {
  return vsce.listFiles({ cwd: root, dependencies: false });
}

/** Copies `files` from `root` into `staging`, every esbuild binary but the target's left out. */
function stage(root, files, staging, target, binary) {
  const leftOut = new Set(ESBUILD_BINARY_FILES.map((f) => `dist/${f}`));
  for (const file of files) {
    const rel = file.split(path.sep).join('/');
    if (leftOut.has(rel)) continue;
    fs.mkdirSync(path.dirname(path.join(staging, rel)), { recursive: true });
    fs.copyFileSync(path.join(root, rel), path.join(staging, rel));
  }
  // vsce warns about a folder without .vscodeignore; the staged one already holds only what ships.
  fs.copyFileSync(path.join(root, '.vscodeignore'), path.join(staging, '.vscodeignore'));
  const esbuild = path.join(staging, 'dist', targetInfo(target).distFile);
  fs.copyFileSync(binary, esbuild);
  fs.chmodSync(esbuild, 0o755);
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
 * Packs `root` (already built) for `target` with `binary` as its esbuild, into `out`
 * (`files`: shippedFiles(root), listed once when packing several targets; `scanSecrets`: false
 * skips vsce's secret scan, for a package whose files but esbuild's binary were scanned already).
 * README images stay relative: VS Code shows them from the installed extension folder
 * (docs/images ships), no repository URL needed. Returns vsce's warnings (none expected) and
 * each step's milliseconds.
 */
export async function packTarget({ root, files, target, binary, out, scanSecrets = true }) {
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), `optlab-stage-${target}-`));
  const ms = {};
  const timed = async (step, fn) => {
    const t0 = Date.now();
    const result = await fn();
    ms[step] = Date.now() - t0;
    return result;
  };
  try {
    const listed = files ?? (await shippedFiles(root));
    await timed('stage', () => stage(root, listed, staging, target, binary));
    const warnings = await timed('vsce', () =>
      collectingWarnings(() =>
        vsce.pack({ cwd: staging, packagePath: out, target, dependencies: false, rewriteRelativeLinks: false, allowPackageAllSecrets: !scanSecrets }),
      ),
    );
    await timed('plugin', () => addPlugin(root, out));
    return { warnings, ms };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * The TypeScript server plugin (contributes.typescriptServerPlugins) must sit at
 * extension/node_modules/<name>: tsserver resolves plugins from the extension's
 * node_modules. vsce without dependencies never packs node_modules, so the plugin's
 * package (its package.json and the bundle it names) is added to the .vsix here.
 */
function addPlugin(root, vsix) {
  const plugin = path.join(root, 'tsPlugin');
  const manifest = JSON.parse(fs.readFileSync(path.join(plugin, 'package.json'), 'utf8'));
  const files = ['package.json', manifest.main];
  for (const f of files) if (!fs.existsSync(path.join(plugin, f))) throw new Error(`tsPlugin/${f} missing: run npm run build`);
  appendToZip(vsix, files.map((f) => ({ name: `extension/node_modules/${manifest.name}/${f}`, data: fs.readFileSync(path.join(plugin, f)), mode: 0o644 })));
}
