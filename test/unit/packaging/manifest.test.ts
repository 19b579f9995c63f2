// The manifest a Marketplace or Open VSX listing needs, checked as vsce checks it when packing
// (its warnings collected; none allowed) and as `vsce ls` lists the files. No build, no network.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { hostTarget } from '../../../scripts/packageTargets.mjs';
import { pngSize } from '../../packaging/targetPackage';

const root = path.join(__dirname, '../../..');

interface Manifest {
  name: string; displayName: string; description: string; version: string; publisher: string; license: string;
  icon: string; preview: boolean; qna: boolean | string; extensionKind: string[]; keywords: string[];
  galleryBanner: { color: string; theme: string }; repository: { url: string }; bugs: { url: string }; homepage: string;
  engines: { vscode: string }; main: string;
}
interface Vsce {
  listFiles(options: { cwd: string; dependencies: boolean }): Promise<string[]>;
  pack(options: { cwd: string; packagePath: string; target: string; dependencies: boolean; rewriteRelativeLinks: boolean }): Promise<unknown>;
}
const vsce = createRequire(__filename)('@vscode/vsce/out/package.js') as Vsce;
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as Manifest;

/** vsce's console output while `fn` runs: its warnings, and what it logs. */
async function vsceOutput(fn: () => Promise<unknown>): Promise<{ warnings: string[] }> {
  const warnings: string[] = [];
  const { warn, log } = console;
  console.warn = (...args: unknown[]) => warnings.push(args.join(' '));
  console.log = () => undefined;
  try {
    await fn();
  } finally {
    Object.assign(console, { warn, log });
  }
  return { warnings };
}

describe('packaging: the manifest', function () {
  it('has what a Marketplace and Open VSX listing needs', function () {
    for (const field of ['name', 'displayName', 'description', 'version', 'publisher', 'license', 'homepage'] as const) {
      assert.ok(typeof manifest[field] === 'string' && manifest[field].length > 0, field);
    }
    assert.match(manifest.version, /^\d+\.\d+\.\d+$/);
    assert.match(manifest.repository.url, /^https:\/\/.+\.git$/);
    assert.match(manifest.bugs.url, /^https:\/\/.+\/issues$/);
    assert.ok(manifest.homepage.startsWith(manifest.repository.url.replace(/\.git$/, '')), 'homepage in the repository');
    assert.ok(fs.existsSync(path.join(root, 'LICENSE')), 'LICENSE');
    const keywords = ['optimizer', 'gradient descent', 'adam', 'hessian', 'loss landscape', 'machine learning', 'tensorflow'];
    assert.deepEqual(keywords.filter((k) => !manifest.keywords.includes(k)), []);
    assert.match(manifest.galleryBanner.color, /^#[0-9a-f]{6}$/i);
    assert.ok(['dark', 'light'].includes(manifest.galleryBanner.theme));
    // 0.x is a preview; the runner runs beside the workspace's files (Remote-SSH, WSL, containers).
    assert.equal(manifest.preview, manifest.version.startsWith('0.'));
    assert.deepEqual(manifest.extensionKind, ['workspace']);
    assert.equal(manifest.qna, false);
  });

  it('has a 128×128 PNG icon rendered from its SVG source', function () {
    assert.deepEqual(pngSize(fs.readFileSync(path.join(root, manifest.icon))), { width: 128, height: 128 });
    const svg = fs.readFileSync(path.join(root, manifest.icon.replace(/\.png$/, '.svg')), 'utf8');
    assert.match(svg, /<svg[^>]*viewBox="0 0 128 128"/);
  });

  it('`vsce ls` lists the icon, README, LICENSE and CHANGELOG, and no sources, tests or node_modules', async function () {
    this.timeout(120_000);
    const files = (await vsce.listFiles({ cwd: root, dependencies: false })).map((f) => f.split(path.sep).join('/'));
    for (const f of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', manifest.icon]) assert.ok(files.includes(f), f);
    assert.deepEqual(files.filter((f) => /^(src|test|scripts|node_modules|tsPlugin|webview|bench|examples|assets\/icon\.svg)\b/.test(f)), []);
  });

  it('vsce packs it without a warning (the manifest, the README, the icon, the license)', async function () {
    this.timeout(120_000);
    const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-manifest-'));
    try {
      for (const f of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', '.vscodeignore', manifest.icon, ...fs.readdirSync(path.join(root, 'docs/images')).map((i) => `docs/images/${i}`)]) {
        fs.mkdirSync(path.dirname(path.join(staging, f)), { recursive: true });
        fs.copyFileSync(path.join(root, f), path.join(staging, f));
      }
      // A stand-in for the bundle vsce requires at `main` (the bundles are the e2e package test's).
      fs.mkdirSync(path.join(staging, 'dist'));
      fs.writeFileSync(path.join(staging, manifest.main), '');
      const packagePath = path.join(staging, 'out.vsix');
      // As scripts/vsixPack.mjs packs (relative README images are shown from the installed folder).
      const { warnings } = await vsceOutput(() => vsce.pack({ cwd: staging, packagePath, target: hostTarget(), dependencies: false, rewriteRelativeLinks: false }));
      assert.deepEqual(warnings, []);
      assert.ok(fs.statSync(packagePath).size > 0);
    } finally {
      fs.rmSync(staging, { recursive: true, force: true });
    }
  });
});
