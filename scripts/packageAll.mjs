// npm run package:all [-- -o DIR] [--targets linux-x64,win32-x64]: one .vsix per VS Code target
// (scripts/packageTargets.mjs), each with that platform's esbuild binary only, from one build.
// Downloads esbuild's per-platform packages (cached), then runs the package test on every output.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { esbuildBinary, esbuildVersion } from './esbuildBinaries.mjs';
import { TARGETS } from './packageTargets.mjs';
import { packStaged, stageExtension } from './vsixPack.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const option = (...names) => {
  const at = args.findIndex((a) => names.includes(a));
  return at >= 0 ? args[at + 1] : undefined;
};
const outDir = path.resolve(option('-o', '--out') ?? path.join(root, 'vsix'));
const targets = option('--targets')?.split(',') ?? Object.keys(TARGETS);
const { name, version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

const started = Date.now();
execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
console.log(`build: ${seconds(started)}`);
fs.mkdirSync(outDir, { recursive: true });
const t0 = Date.now();
const staging = await stageExtension(root);
console.log(`staged: ${seconds(t0)}`);
const failures = [];
try {
  for (const target of targets) {
    const t1 = Date.now();
    const binary = esbuildBinary(target, esbuildVersion());
    const out = path.join(outDir, `${name}-${version}-${target}.vsix`);
    const fetched = Date.now();
    // vsce's secret scan (half of a package's CPU time) once: the packages differ only in esbuild's binary.
    const { warnings, ms } = await packStaged({ staging, target, binary, out, scanSecrets: target === targets[0] });
    if (warnings.length > 0) failures.push(`${target}: vsce warned:\n${warnings.join('\n')}`);
    const steps = Object.entries(ms).map(([step, t]) => `${step} ${(t / 1000).toFixed(1)} s`).join(', ');
    console.log(`${path.relative(root, out)}: ${(fs.statSync(out).size / 1e6).toFixed(2)} MB in ${seconds(t1)} (esbuild ${((fetched - t1) / 1000).toFixed(1)} s, ${steps})`);
  }
} finally {
  fs.rmSync(staging, { recursive: true, force: true });
}
console.log(`package:all: ${targets.length} packages in ${seconds(started)}`);
if (failures.length > 0) {
  console.error(failures.join('\n'));
  process.exit(1);
}
// The package test on every output (test/packaging/allTargets.test.ts reads the folder).
execFileSync(process.execPath, [path.join(root, 'node_modules/mocha/bin/mocha.js'), '--no-config', '-r', 'tsx/cjs', '--extension', 'ts', '--timeout', '120000', 'test/packaging/allTargets.test.ts'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, OPTLAB_VSIX_DIR: outDir },
});
