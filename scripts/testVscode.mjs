// npm run test:vscode: the integration suite in a VS Code downloaded by
// @vscode/test-electron, with the examples folder as the workspace. Where VS
// Code cannot be downloaded (no network) it says so, and runs the same suite
// inside code-server when that is installed (scripts/install-code-server.sh);
// otherwise it exits non-zero: it never passes without running the suite.
import { execFileSync, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { buildIntegration } from './buildIntegration.mjs';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const SKIP_EXIT = 3;

execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
const suite = await buildIntegration();
const { downloadAndUnzipVSCode, runTests } = await import('@vscode/test-electron');

let vscodeExecutablePath = process.env.VSCODE_EXECUTABLE;
if (!vscodeExecutablePath) {
  try {
    vscodeExecutablePath = await downloadAndUnzipVSCode(process.env.VSCODE_VERSION ?? '1.100.3');
  } catch (e) {
    console.error(`test:vscode: VS Code could not be downloaded (${e instanceof Error ? e.message.split('\n')[0] : e}).`);
    const installed = spawnSync('bash', [path.join(root, 'scripts/install-code-server.sh')], { stdio: ['ignore', 'ignore', 'ignore'] }).status === 0;
    if (!installed) {
      console.error('test:vscode: code-server is not installed either: the integration suite did NOT run. Set VSCODE_EXECUTABLE to a local VS Code, or install code-server (scripts/install-code-server.sh).');
      process.exit(SKIP_EXIT);
    }
    console.error('test:vscode: running the same suite inside code-server instead.');
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'test/integration/runInCodeServer.ts')], { stdio: 'inherit', cwd: root });
    process.exit(r.status ?? 1);
  }
}
const code = await runTests({
  vscodeExecutablePath,
  extensionDevelopmentPath: root,
  extensionTestsPath: path.join(suite, 'index.js'),
  launchArgs: [path.join(root, 'examples'), '--disable-extensions', '--disable-workspace-trust'],
});
process.exit(code);
