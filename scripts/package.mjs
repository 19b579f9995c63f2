// npm run package [-- -o file.vsix]: the .vsix for this machine's platform. It carries
// esbuild's native binary (dist/esbuild, copied by the build), so it is platform-specific:
// vsce's --target makes VS Code install it only where that binary runs.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
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

/**
 * The TypeScript server plugin (contributes.typescriptServerPlugins) must sit at
 * extension/node_modules/<name>: tsserver resolves plugins from the extension's
 * node_modules. vsce --no-dependencies never packs node_modules, so the plugin's
 * package (its package.json and the bundle it names) is added to the .vsix here,
 * with the zip libraries vsce itself uses.
 */
async function addPlugin(vsix) {
  const plugin = path.join(root, 'tsPlugin');
  const manifest = JSON.parse(fs.readFileSync(path.join(plugin, 'package.json'), 'utf8'));
  const files = ['package.json', manifest.main];
  for (const f of files) if (!fs.existsSync(path.join(plugin, f))) throw new Error(`tsPlugin/${f} missing: run npm run build`);
  const requireFromVsce = createRequire(path.join(root, 'node_modules/@vscode/vsce/package.json'));
  const yauzl = requireFromVsce('yauzl');
  const yazl = requireFromVsce('yazl');
  const zip = new yazl.ZipFile();
  const input = await new Promise((resolve, reject) => yauzl.open(vsix, { lazyEntries: true }, (e, z) => (e ? reject(e) : resolve(z))));
  await new Promise((resolve, reject) => {
    input.on('error', reject);
    input.on('end', resolve);
    input.on('entry', (entry) => {
      input.openReadStream(entry, (e, stream) => {
        if (e) return reject(e);
        const chunks = [];
        stream.on('data', (c) => chunks.push(c));
        stream.on('error', reject);
        stream.on('end', () => {
          // Keep each entry's Unix mode (dist/esbuild stays executable).
          zip.addBuffer(Buffer.concat(chunks), entry.fileName, { mtime: entry.getLastModDate(), mode: (entry.externalFileAttributes >>> 16) || undefined });
          input.readEntry();
        });
      });
    });
    input.readEntry();
  });
  input.close();
  for (const f of files) zip.addFile(path.join(plugin, f), `extension/node_modules/${manifest.name}/${f}`);
  zip.end();
  const tmp = `${vsix}.tmp`;
  await new Promise((resolve, reject) => zip.outputStream.pipe(fs.createWriteStream(tmp)).on('finish', resolve).on('error', reject));
  fs.renameSync(tmp, vsix);
  return manifest.name;
}

console.log(`added node_modules/${await addPlugin(out)}`);
console.log(out);
