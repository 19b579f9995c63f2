import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const repoRoot = path.resolve(__dirname, '../../..');

/** Packages the extension in `extensionDir` with vsce (offline) into `outFile`. */
export function packageVsix(extensionDir: string, outFile: string): string {
  const vsce = path.join(repoRoot, 'node_modules/@vscode/vsce/vsce');
  execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '-o', outFile], {
    cwd: extensionDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
  });
  return outFile;
}
