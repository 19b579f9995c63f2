// esbuild's native binary for any target, taken from the npm registry's @esbuild/<platform>
// package of exactly the installed esbuild's version (its JS API, bundled into the runner,
// refuses a binary of another version). Tarballs are cached; npm verifies their integrity.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { targetInfo } from './packageTargets.mjs';

const CACHE = path.join(os.homedir(), '.cache', 'optimizer-lab', 'esbuild');

/** The version of the esbuild package the build bundles. */
export function esbuildVersion() {
  return createRequire(import.meta.url)('esbuild/package.json').version;
}

/** npm itself: the one running this script under `npm run`, else the npm on PATH. */
function npm(args, cwd) {
  const cli = process.env.npm_execpath;
  if (cli && /npm-cli\.c?js$/.test(cli)) return execFileSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8' });
  return execFileSync('npm', args, { cwd, encoding: 'utf8', shell: process.platform === 'win32' });
}

/** The tarball of `pkg@version` in the cache, packed by npm when missing. */
function tarball(pkg, version) {
  fs.mkdirSync(CACHE, { recursive: true });
  // npm pack's file name: the scope's @ dropped, / turned into -.
  const file = path.join(CACHE, `${pkg.replace(/^@/, '').replace('/', '-')}-${version}.tgz`);
  if (!fs.existsSync(file)) npm(['pack', `${pkg}@${version}`, '--pack-destination', CACHE, '--silent'], CACHE);
  if (!fs.existsSync(file)) throw new Error(`npm pack ${pkg}@${version} wrote no ${file}`);
  return file;
}

/** One file's bytes out of a .tgz (ustar: 512-byte headers, size in octal, data padded to 512). */
export function fileFromTarball(tgz, name) {
  const tar = zlib.gunzipSync(fs.readFileSync(tgz));
  for (let at = 0; at + 512 <= tar.length; ) {
    const header = tar.subarray(at, at + 512);
    const entry = header.toString('utf8', 0, 100).replace(/\0.*$/s, '');
    if (entry === '') break;
    const prefix = header.toString('utf8', 345, 500).replace(/\0.*$/s, '');
    const size = parseInt(header.toString('utf8', 124, 136).replace(/\0.*$/s, '').trim() || '0', 8);
    if ((prefix ? `${prefix}/${entry}` : entry) === name) return tar.subarray(at + 512, at + 512 + size);
    at += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error(`${name} not in ${tgz}`);
}

/** The path of `target`'s esbuild binary (extracted into the cache, executable). */
export function esbuildBinary(target, version = esbuildVersion()) {
  const info = targetInfo(target);
  const tgz = tarball(info.npmPackage, version);
  const out = path.join(CACHE, `${info.npmPackage.replace(/^@/, '').replace('/', '-')}-${version}`, info.distFile);
  if (!fs.existsSync(out)) {
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(`${out}.tmp`, fileFromTarball(tgz, info.fileInTarball), { mode: 0o755 });
    fs.renameSync(`${out}.tmp`, out);
  }
  return out;
}
