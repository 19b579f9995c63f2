import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const repoRoot = path.resolve(__dirname, '../../..');
let packaged: string | undefined;

/**
 * The extension's .vsix, packaged fresh (npm run package: build, then vsce) once per
 * e2e process into a temp dir that is removed when the process exits.
 */
export function realVsix(): string {
  if (packaged) return packaged;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-vsix-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const out = path.join(dir, 'optimizer-lab.vsix');
  execFileSync(process.execPath, [path.join(repoRoot, 'scripts/package.mjs'), '-o', out], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 180_000,
  });
  packaged = out;
  return out;
}
