// The LR finder as a person uses it, in the real extension installed from its .vsix in code-server:
// the objective's 'Find lr' lens runs the lr range test, the dashboard's LR finder card draws the loss
// against the lr with the suggestions, and 'Use lr …' sets the Run controls' lr and optimizerLab.learningRate;
// after a run, the dashboard's 'Find lr' beside Run tests the optimizer its menu shows on that run's objective.
// Screenshots: .artifacts/e2e/lr-finder-*.png.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { startCodeServer, type CodeServer } from './harness/codeServer';
import { processGroup } from './harness/processGroup';
import { realVsix } from './harness/realVsix';
import { launchBrowser, openFile, openWorkbench, screenshot } from './harness/workbench';
import { answerTrustPrompt, webviewFrame } from './harness/workbenchParts';

const examples = path.join(__dirname, '../../examples');

interface CardState {
  status: string;
  points: number;
  steepest?: number;
  minimumOverTen?: number;
  optimizer: string;
  lossLog: boolean;
  drawn: number[];
}

/** Polls the card until its test is no longer running (or `optimizer` is not yet the one shown). */
async function finishedCard(frame: FrameLocator, optimizer: string): Promise<CardState | undefined> {
  let state: CardState | undefined;
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    state = await cardState(frame).catch(() => undefined);
    if (state && state.optimizer === optimizer && state.status !== 'running') break;
    await new Promise((r) => setTimeout(r, 250));
  }
  return state;
}

async function cardState(frame: FrameLocator): Promise<CardState | undefined> {
  return frame.locator('body').evaluate(() => {
    interface Card {
      shown?: { status: string; points: unknown[]; suggestions?: { steepest?: number; minimumOverTen?: number }; optimizer: { id: string } };
      model?: { logLoss: boolean };
      chart?: { data: { datasets: unknown[] }; getDatasetMeta(i: number): { data: unknown[] } };
    }
    const card = (window as unknown as { optimizerLabLrFinder?: Card }).optimizerLabLrFinder;
    const shown = card?.shown;
    if (!shown || !card.chart) return undefined;
    return {
      status: shown.status, points: shown.points.length, optimizer: shown.optimizer.id, lossLog: card.model?.logLoss ?? false,
      ...shown.suggestions,
      drawn: card.chart.data.datasets.map((_, i) => card.chart!.getDatasetMeta(i).data.length),
    };
  });
}

describe('LR finder in code-server (the real extension)', function () {
  this.timeout(240_000);
  let tmp: string;
  let server: CodeServer;
  let browser: Browser;
  let page: Page;

  before(async function () {
    this.timeout(400_000);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-lr-e2e-'));
    server = await startCodeServer({
      extensions: [realVsix()],
      settings: { 'workbench.startupEditor': 'none', 'workbench.tips.enabled': false, 'editor.stickyScroll.enabled': false, 'optimizerLab.defaultOptimizer': 'adam' },
    });
    browser = await launchBrowser();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) await screenshot(page, `failed-lr-finder-${this.currentTest.title.replace(/\W+/g, '-')}`);
  });

  after(async function () {
    await browser?.close();
    if (server) {
      await server.stop();
      assert.deepEqual(processGroup(server.pgid), [], 'code-server (or the runner) left processes behind');
    }
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('the Find lr lens draws the range test with both suggestions; Use lr sets the dashboard\'s lr and the setting', async function () {
    const dir = path.join(tmp, 'examples');
    fs.cpSync(examples, dir, { recursive: true });
    page = await openWorkbench(browser, server.folderUrl(dir));
    await answerTrustPrompt(page, true);
    await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).waitFor({ state: 'detached' });
    await openFile(page, 'rosenbrock.ts');
    const lens = page.locator('.codelens-decoration a', { hasText: 'Find lr' });
    await lens.waitFor({ timeout: 90_000 });
    await lens.click();
    const frame = webviewFrame(page);
    const state = await finishedCard(frame, 'adam');
    assert.equal(state?.status, 'done', JSON.stringify(state));
    assert.equal(state.optimizer, 'adam');
    assert.ok(state.points > 50, `${state.points} points`);
    assert.ok(state.steepest !== undefined && state.minimumOverTen !== undefined, 'both suggestions');
    assert.deepEqual(state.drawn.slice(0, 2), [state.points, state.points], 'every point drawn, raw and smoothed');
    assert.deepEqual(state.drawn.slice(2), [2, 2], 'a vertical line per suggestion');
    const card = frame.locator('section[data-chart="lr-finder"]');
    await screenshot(page, 'lr-finder-01-card');
    await card.locator('button[data-suggestion="steepest"]').click();
    const expected = Number(state.steepest.toPrecision(3));
    await page.locator('.notifications-toasts', { hasText: 'optimizerLab.learningRate' }).waitFor({ timeout: 30_000 });
    const lr = await frame.locator('body').evaluate(() => (window as unknown as { optimizerLab: { ui: { controls: { lr: number } } } }).optimizerLab.ui.controls.lr);
    assert.equal(lr, expected);
    // The setting landed in the workspace's settings.json.
    const settingsFile = path.join(dir, '.vscode', 'settings.json');
    const deadlineSettings = Date.now() + 10_000;
    while (!fs.existsSync(settingsFile) && Date.now() < deadlineSettings) await new Promise((r) => setTimeout(r, 200));
    assert.equal(JSON.parse(fs.readFileSync(settingsFile, 'utf8'))['optimizerLab.learningRate'], expected);
    await screenshot(page, 'lr-finder-02-used');
  });

  it('the dashboard\'s Find lr, after a run, tests the optimizer its menu shows on that objective', async function () {
    // The first test's page and workspace: run the objective so the dashboard has a target.
    const run = page.locator('.codelens-decoration a', { hasText: '▶ Run (adam)' });
    await run.waitFor({ timeout: 60_000 });
    await run.click();
    const frame = webviewFrame(page);
    await frame.locator('#ctl-find-lr').waitFor({ timeout: 60_000 });
    await frame.locator('#ctl-optimizer').selectOption('sgd');
    await frame.locator('#ctl-find-lr').click();
    const state = await finishedCard(frame, 'sgd');
    assert.equal(state?.optimizer, 'sgd', JSON.stringify(state));
    assert.equal(state.status, 'done');
    assert.ok(state.points > 10, `${state.points} points`);
    assert.deepEqual(state.drawn.slice(0, 2), [state.points, state.points], 'every point drawn, raw and smoothed');
    await screenshot(page, 'lr-finder-03-dashboard-button');
  });
});
