// Builds the integration suite (test/integration) to out/test/integration: one
// CommonJS file per test plus index.js exporting run(), the shape both
// @vscode/test-electron and the code-server harness load in the extension host.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));

export async function buildIntegration() {
  const src = path.join(root, 'test/integration');
  const out = path.join(root, 'out/test/integration');
  fs.rmSync(out, { recursive: true, force: true });
  const entries = fs.readdirSync(src).filter((f) => f === 'index.ts' || f.endsWith('.test.ts')).map((f) => path.join(src, f));
  await esbuild.build({
    entryPoints: entries, outdir: out, bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: 'inline',
    // vscode is the host's; mocha is loaded from this repository's node_modules.
    external: ['vscode', 'mocha'], logLevel: 'warning',
  });
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(`integration suite: ${await buildIntegration()}`);
