/**
 * Runs the integration suite inside code-server's extension host (the
 * e2e harness), for machines where @vscode/test-electron cannot download VS
 * Code. The extension loads from this repository as a development extension;
 * the workspace is a temporary copy of examples/ (trusted). Exit code 0 when
 * every test passed. Needs `npm run build`, the suite built
 * (scripts/buildIntegration.mjs) and code-server installed (scripts/install-code-server.sh).
 * `npm run test:e2e` runs it through test/e2e/integration.e2e.ts.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startCodeServer } from '../e2e/harness/codeServer';
import { runExtensionTests } from '../e2e/harness/extensionTests';
import { launchBrowser } from '../e2e/harness/workbench';

export interface IntegrationResult {
  exitCode: number;
  /** Mocha's report (the workbench's own console lines before it left out). */
  report: string;
}

export async function runIntegrationInCodeServer(): Promise<IntegrationResult> {
  const root = path.join(__dirname, '../..');
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-integration-'));
  fs.cpSync(path.join(root, 'examples'), workspace, { recursive: true });
  const server = await startCodeServer({ settings: { 'security.workspace.trust.enabled': false } });
  try {
    const browser = await launchBrowser();
    try {
      const result = await runExtensionTests(browser, server, {
        extensionDevelopmentPath: root,
        extensionTestsPath: path.join(root, 'out/test/integration/index.js'),
        folder: workspace,
        timeoutMs: 300_000,
      });
      // The workbench's own chatter first; mocha's report starts at the suite's title.
      const start = result.output.findIndex((l) => l.includes('Optimizer Lab in VS Code'));
      return { exitCode: result.exitCode, report: result.output.slice(Math.max(start, 0)).join('\n') };
    } finally {
      await browser.close();
    }
  } finally {
    await server.stop();
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

if (require.main === module) {
  runIntegrationInCodeServer().then(({ exitCode, report }) => {
    console.log(report);
    process.exitCode = exitCode;
  }, (e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
