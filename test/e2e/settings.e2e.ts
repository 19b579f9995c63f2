// The default-optimizer settings in a real VS Code (code-server with the packaged .vsix): the Settings editor shows
// optimizerLab.defaultOptimizer as a drop-down of the registry's ids (package.json's enum, written by
// npm run docs:optimizers), and optimizerLab.defaultOptimizerRule (FILE#NAME) makes a workspace rule the ▶ Run lens's
// optimizer.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { OPTIMIZERS } from '../../src/core/optimizers/registry';
import { startCodeServer, type CodeServer } from './harness/codeServer';
import { processGroup } from './harness/processGroup';
import { realVsix } from './harness/realVsix';
import { launchBrowser, openFile, openWorkbench, runCommand, screenshot } from './harness/workbench';
import { answerTrustPrompt } from './harness/workbenchParts';

const examples = path.resolve(__dirname, '../../examples');

describe('default optimizer settings in code-server', function () {
  this.timeout(240_000);
  let tmp: string;
  let server: CodeServer;
  let browser: Browser;
  let page: Page;

  before(async function () {
    this.timeout(300_000);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-settings-e2e-'));
    server = await startCodeServer({
      extensions: [realVsix()],
      settings: { 'workbench.startupEditor': 'none', 'workbench.tips.enabled': false, 'editor.stickyScroll.enabled': false },
    });
    browser = await launchBrowser();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) await screenshot(page, `failed-settings-${this.currentTest.title.replace(/\W+/g, '-')}`);
  });

  after(async function () {
    await browser?.close();
    if (server) {
      await server.stop();
      assert.deepEqual(processGroup(server.pgid), [], 'code-server (or the runner) left processes behind');
    }
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("the Settings editor offers the registry's optimizers in a drop-down; the rule setting puts a workspace rule on the lens", async function () {
    const folder = path.join(tmp, 'ws');
    fs.mkdirSync(path.join(folder, '.vscode'), { recursive: true });
    for (const file of ['rosenbrock.ts', 'myAdam.ts']) fs.copyFileSync(path.join(examples, file), path.join(folder, file));
    page = await openWorkbench(browser, server.folderUrl(folder));
    await answerTrustPrompt(page, true);
    await openFile(page, 'rosenbrock.ts');
    await page.locator('.codelens-decoration a', { hasText: '▶ Run (adam)' }).first().waitFor({ timeout: 60_000 });

    await runCommand(page, 'Preferences: Open Settings (UI)');
    await page.locator('.settings-editor .suggest-input-container textarea, .settings-editor .suggest-input-container input').first().fill('optimizerLab.defaultOptimizer');
    // The built-in setting is the one with a <select> (its options are the enum's values).
    const item = page.locator('.settings-editor .setting-item-contents', { hasText: 'Default Optimizer' }).filter({ has: page.locator('select') });
    await item.waitFor({ timeout: 30_000 });
    const options = await item.locator('select option').allTextContents();
    assert.deepEqual(options, OPTIMIZERS.map((o) => o.id), 'the drop-down lists the registry in its order');
    // The rule setting is a text box beside it (no enum: it takes FILE#NAME).
    await page.locator('.settings-editor .setting-item-contents', { hasText: 'Default Optimizer Rule' }).locator('input').waitFor();
    await screenshot(page, 'settings-01-default-optimizer');

    fs.writeFileSync(path.join(folder, '.vscode', 'settings.json'), JSON.stringify({ 'optimizerLab.defaultOptimizerRule': 'myAdam.ts#myAdam' }));
    await openFile(page, 'rosenbrock.ts');
    await page.locator('.codelens-decoration a', { hasText: '▶ Run (myAdam)' }).first().waitFor({ timeout: 60_000 });
    assert.equal(await page.locator('.codelens-decoration a', { hasText: '▶ Run (adam)' }).count(), 0);
  });
});
