// The integration suite (test/integration, the scenarios @vscode/test-electron runs where
// VS Code can be downloaded) inside code-server's extension host, with the extension
// loaded from this repository's dist/ (built once per e2e run by the packaging step).
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { runIntegrationInCodeServer } from '../integration/runInCodeServer';
import { realVsix } from './harness/realVsix';

const repoRoot = path.resolve(__dirname, '../..');

describe('integration suite inside code-server', function () {
  it('passes every scenario (lenses, Run command, ▶ Run lens, live re-run with ghost, syntax error cleared)', async function () {
    this.timeout(420_000);
    // Packaging builds dist/ (vscode:prepublish); reusing it here keeps to one build per run.
    realVsix();
    execFileSync(process.execPath, [path.join(repoRoot, 'scripts/buildIntegration.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
    const { exitCode, report } = await runIntegrationInCodeServer();
    console.log(report.split('\n').map((l) => `      ${l}`).join('\n'));
    assert.equal(exitCode, 0, report);
    assert.match(report, /\d+ passing/);
    assert.doesNotMatch(report, /\d+ failing/);
  });
});
