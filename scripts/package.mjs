// npm run package [-- -o file.vsix]: the .vsix for this machine's platform (npm run package:all
// makes one for every platform). It carries esbuild's native binary (dist/esbuild, copied by the
// build), so it is platform-specific: its target makes VS Code install it only where that binary runs.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { esbuildBinaryFile, hostTarget } from './packageTargets.mjs';
import { packTarget } from './vsixPack.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const outAt = args.findIndex((a) => a === '-o' || a === '--out');
const out = outAt >= 0 ? path.resolve(args[outAt + 1]) : path.join(root, 'optimizer-lab.vsix');
const target = hostTarget();

// What vsce's vscode:prepublish would run: the bundles, dist/esbuild and the types.
execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
const { warnings } = await packTarget({ root, target, binary: path.join(root, 'dist', esbuildBinaryFile(process.platform)), out });
if (warnings.length > 0) {
  console.error(`vsce warned:\n${warnings.join('\n')}`);
  process.exit(1);
}
console.log(`${out} (${target})`);
