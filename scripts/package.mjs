// npm run package [-- -o file.vsix]: the .vsix for this machine's platform. It carries
// esbuild's native binary (dist/esbuild, copied by the build), so it is platform-specific:
// vsce's --target makes VS Code install it only where that binary runs.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const args = process.argv.slice(2);
const outAt = args.findIndex((a) => a === '-o' || a === '--out');
const out = outAt >= 0 ? path.resolve(args[outAt + 1]) : path.join(root, 'optimizer-lab.vsix');
// VS Code's target names are Node's platform-arch pairs (linux-x64, darwin-arm64, win32-x64...).
const target = `${process.platform}-${process.arch}`;
const vsce = path.join(root, 'node_modules/@vscode/vsce/vsce');
// vsce runs vscode:prepublish (npm run build) first. README images stay relative: VS Code shows
// them from the installed extension folder (docs/images ships), no repository URL needed.
execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--target', target, '-o', out], {
  cwd: root,
  stdio: ['ignore', 'inherit', 'inherit'],
});
console.log(out);
