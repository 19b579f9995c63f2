// Proves the e2e machinery on a throwaway extension: a real VS Code (code-server)
// installs a .vsix, loads a workspace, runs the extension's command from the
// palette, shows its diagnostic in the Problems panel, and honours Workspace Trust.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startCodeServer, type CodeServer } from './harness/codeServer';
import { packageVsix } from './harness/packageVsix';
import { processGroup } from './harness/processGroup';
import { answerTrustPrompt, readProblems, statusBarText, webviewFrame } from './harness/workbenchParts';
import { runExtensionTests } from './harness/extensionTests';
import { launchBrowser, openFile, openWorkbench, runCommand, screenshot } from './harness/workbench';

const fixtureExtension = path.join(__dirname, 'fixtures/hello-extension');
const fixtureSuite = path.join(__dirname, 'fixtures/hello-suite');
const helloLabel = 'E2E Fixture: Say Hello';

function makeWorkspace(root: string, name: string): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'sample.ts'), 'export const answer: number = 42;\n');
  return dir;
}

describe('e2e harness: code-server + Chromium', function () {
  let tmp: string;
  let server: CodeServer;
  let browser: Browser;
  let page: Page;

  before(async function () {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-e2e-'));
    const vsix = packageVsix(fixtureExtension, path.join(tmp, 'fixture.vsix'));
    server = await startCodeServer({
      extensions: [vsix],
      settings: { 'workbench.startupEditor': 'none', 'workbench.tips.enabled': false },
    });
    browser = await launchBrowser();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) {
      await screenshot(page, `failed-${this.currentTest.title.replace(/\W+/g, '-')}`);
    }
  });

  after(async function () {
    await browser?.close();
    if (server) {
      await server.stop();
      assert.deepEqual(processGroup(server.pgid), [], 'code-server left processes behind');
    }
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  describe('trusted workspace', function () {
    let workspace: string;

    before(async function () {
      workspace = makeWorkspace(tmp, 'trusted');
      page = await openWorkbench(browser, server.folderUrl(workspace));
    });

    it('loads the workbench and trusts the folder when asked', async function () {
      await answerTrustPrompt(page, true);
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'sample.ts' }).waitFor();
      // The indicator goes once trust is granted (asynchronously).
      await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).waitFor({ state: 'detached' });
      assert.doesNotMatch(await statusBarText(page), /Restricted Mode/);
      await screenshot(page, '01-workbench');
    });

    it('opens a file in the editor', async function () {
      await openFile(page, 'sample.ts');
      const editor = page.locator('.editor-instance .view-lines');
      await editor.filter({ hasText: 'answer' }).waitFor();
      assert.match((await editor.innerText()).replace(/\s+/g, ' '), /export const answer: number = 42;/);
      await screenshot(page, '02-file-open');
    });

    it("runs the installed extension's command from the palette", async function () {
      await runCommand(page, helloLabel);
      await page.locator('.notification-toast', { hasText: 'Hello from the e2e fixture' }).waitFor();
      await page.locator('.tab[data-resource-name="hello-from-extension.txt"]').waitFor();
      assert.equal(
        fs.readFileSync(path.join(workspace, 'hello-from-extension.txt'), 'utf8'),
        'written by the e2e fixture extension\n',
      );
      await screenshot(page, '03-command-ran');
    });

    it('reads the Problems panel', async function () {
      const problems = await readProblems(page);
      assert.ok(
        problems.some((p) => p.includes('e2e fixture problem 42')),
        `Problems panel: ${JSON.stringify(problems)}`,
      );
      await screenshot(page, '04-problems');
    });

    it("shows the extension's webview with its script running", async function () {
      await runCommand(page, 'E2E Fixture: Show Panel');
      const frame = webviewFrame(page);
      await frame.locator('h1', { hasText: 'E2E fixture panel' }).waitFor();
      await frame.locator('#status', { hasText: 'script ran: 42' }).waitFor();
      await screenshot(page, '05-webview');
    });
  });

  describe('untrusted workspace', function () {
    let workspace: string;

    before(async function () {
      workspace = makeWorkspace(tmp, 'untrusted');
      await page?.context().close();
      page = await openWorkbench(browser, server.folderUrl(workspace));
    });

    it('shows Restricted Mode and keeps the extension from running', async function () {
      await answerTrustPrompt(page, false);
      await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).waitFor();
      // The fixture declares untrustedWorkspaces.supported = false: its command is not offered.
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.fill(`>${helloLabel}`);
      await page.locator('.quick-input-widget', { hasText: 'No matching commands' }).waitFor();
      const rows = await page.locator('.quick-input-widget .monaco-list-row').allInnerTexts();
      assert.ok(!rows.some((r) => r.includes(helloLabel)), `palette offered: ${JSON.stringify(rows)}`);
      await screenshot(page, '06-restricted-mode');
      await page.keyboard.press('Escape');
      assert.equal(fs.existsSync(path.join(workspace, 'hello-from-extension.txt')), false);
    });
  });

  describe('extension test suite inside the extension host', function () {
    it('runs a mocha suite against the development extension and reports success', async function () {
      const result = await runExtensionTests(browser, server, {
        extensionDevelopmentPath: fixtureExtension,
        extensionTestsPath: path.join(fixtureSuite, 'index.js'),
        folder: makeWorkspace(tmp, 'suite-pass'),
      });
      const output = result.output.join('\n');
      assert.equal(result.exitCode, 0, output);
      assert.match(output, /2 passing/);
    });

    it('reports a failing suite as a failure', async function () {
      const result = await runExtensionTests(browser, server, {
        extensionDevelopmentPath: fixtureExtension,
        extensionTestsPath: path.join(fixtureSuite, 'failing.js'),
        folder: makeWorkspace(tmp, 'suite-fail'),
      });
      const output = result.output.join('\n');
      assert.equal(result.exitCode, 1, output);
      assert.match(output, /1 failing/);
      assert.match(output, /failed on purpose/);
    });
  });
});
