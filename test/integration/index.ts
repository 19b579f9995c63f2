/**
 * The integration suite's entry, loaded inside a real VS Code extension host:
 * by @vscode/test-electron (scripts/testVscode.mjs) where VS Code can be
 * downloaded, and by the code-server harness (test/e2e) where it cannot.
 * Built to out/test/integration/index.js by scripts/buildIntegration.mjs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 120_000 });
  for (const f of fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort()) mocha.addFile(path.join(__dirname, f));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} integration test(s) failed`)) : resolve()));
  });
}
