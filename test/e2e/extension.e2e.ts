// The real extension, installed from a freshly packaged .vsix into code-server and driven
// as a person drives it: the ▶ Run lens, the palette command, live re-runs with a ghost,
// a syntax error in the Problems panel and the dashboard banner (and its clearing), and
// an untrusted workspace where nothing runs; and objective files that type-check with no
// TensorFlow.js installed (the extension's TypeScript server plugin). Screenshots of each
// stage: .artifacts/e2e/.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { startCodeServer, type CodeServer } from './harness/codeServer';
import { processGroup } from './harness/processGroup';
import { realVsix } from './harness/realVsix';
import { launchBrowser, openFile, openWorkbench, runCommand, screenshot } from './harness/workbench';
import { answerTrustPrompt, webviewFrame } from './harness/workbenchParts';

const examples = path.join(__dirname, '../../examples');

/** Losses of the dashboard's current runs and how many ghosts it keeps (its window.optimizerLab model). */
interface DashboardView {
  runs: { optimizer: string; done: boolean; first?: number; last?: number; steps: number; id?: string; keys?: string }[]; rejected?: string[];
  ghosts: number;
  banner: string | null;
}

async function dashboardView(frame: FrameLocator): Promise<DashboardView> {
  return frame.locator('body').evaluate(() => {
    interface Snap { meta?: { optimizer: { id: string } }; done?: unknown; steps: { loss: number }[] }
    const model = (window as unknown as { optimizerLab: { model: { runs: Map<string, Snap>; ghosts: Snap[]; banner: { message: string } | null } } }).optimizerLab.model;
    const dash = (window as unknown as { optimizerLab: { stats: { rejected: string[] } } }).optimizerLab;
    return {
      rejected: dash.stats.rejected,
      runs: [...model.runs.values()].map((r) => ({ id: (r as unknown as { runId: string }).runId, keys: Object.keys(r).join(','),
        optimizer: r.meta?.optimizer.id ?? '?', done: r.done !== undefined, first: r.steps[0]?.loss, last: r.steps[r.steps.length - 1]?.loss, steps: r.steps.length,
      })),
      ghosts: model.ghosts.length,
      banner: model.banner?.message ?? null,
    };
  });
}

/**
 * Scrolls the dashboard's run table into view for a screenshot, found and scrolled in one turn of the page's JS: the
 * table is re-rendered as runs report, and a locator's scroll could find the element it resolved already replaced
 * ("Element is not attached to the DOM").
 */
async function scrollRunsIntoView(frame: FrameLocator): Promise<void> {
  await frame.locator('body').evaluate(() => document.querySelector('table.runs')?.scrollIntoView({ block: 'center' }));
}

/** Polls the dashboard until `check` holds; fails with the last view seen. */
async function waitForDashboard(frame: FrameLocator, what: string, check: (v: DashboardView) => boolean, timeoutMs = 60_000): Promise<DashboardView> {
  const deadline = Date.now() + timeoutMs;
  let last: DashboardView | undefined;
  while (Date.now() < deadline) {
    try {
      last = await dashboardView(frame);
      if (check(last)) return last;
    } catch {
      // The webview is (re)loading.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}; dashboard: ${JSON.stringify(last)}`);
}

/** Find/replace in the active editor (Ctrl+H, Replace All), as a person edits; the text stays unsaved. */
async function replaceInEditor(page: Page, find: string, replace: string): Promise<void> {
  await page.locator('.editor-instance .view-lines').first().click();
  await page.keyboard.press('Control+H');
  const findInput = page.locator('.find-widget .find-part textarea, .find-widget .find-part input').first();
  await findInput.waitFor({ state: 'visible' });
  await findInput.fill(find);
  const replaceInput = page.locator('.find-widget .replace-part textarea, .find-widget .replace-part input').first();
  await replaceInput.fill(replace);
  await page.locator('.find-widget .matchesCount', { hasText: /^1 of 1$/ }).waitFor();
  await replaceInput.press('Control+Alt+Enter');
  await page.locator('.find-widget .matchesCount', { hasText: /No results/ }).waitFor();
  await page.keyboard.press('Escape');
}

/**
 * Shows the hover of the first `word` token until its text matches (the TypeScript server may
 * still be loading). Attempts alternate between the mouse (the pointer rests on the token) and
 * the keyboard (the cursor in the token, then Show Hover): a mouse hover in code-server sometimes
 * never opens although the language server answers, and one form alone made the test flaky.
 */
async function hoverUntil(page: Page, word: string, pattern: RegExp, timeoutMs = 150_000): Promise<string> {
  const token = page.locator('.editor-instance .view-lines span span', { hasText: new RegExp(`^${word}$`) }).first();
  const hoverContent = page.locator('.monaco-hover-content:visible');
  const deadline = Date.now() + timeoutMs;
  let text = '';
  const tried = { mouse: 0, keyboard: 0 };
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    await page.keyboard.press('Escape');
    await page.mouse.move(0, 0);
    try {
      // Bounded: an overlay over the token (a hover left open) must cost one attempt, not the test.
      if (attempt % 2 === 0) {
        tried.mouse++;
        await token.hover({ timeout: 5_000 });
      } else {
        tried.keyboard++;
        await token.click({ timeout: 5_000 });
        await runCommand(page, 'Show or Focus Hover');
      }
      await hoverContent.first().waitFor({ timeout: 3_000 });
      text = (await hoverContent.allInnerTexts()).join('\n');
      if (pattern.test(text)) return text;
    } catch {
      // No hover yet, or the token could not be reached this time.
    }
    await new Promise((r) => setTimeout(r, 1_000));
  }
  throw new Error(`timed out waiting for a hover on ${word} matching ${pattern} (${tried.mouse} mouse, ${tried.keyboard} keyboard attempts); last hover: ${JSON.stringify(text)}`);
}

async function problemRows(page: Page): Promise<string[]> {
  return page.locator('.markers-panel .monaco-list-row').allInnerTexts();
}

async function waitForProblems(page: Page, what: string, check: (rows: string[]) => boolean): Promise<string[]> {
  const deadline = Date.now() + 30_000;
  let rows: string[] = [];
  while (Date.now() < deadline) {
    rows = await problemRows(page);
    if (check(rows)) return rows;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}; Problems: ${JSON.stringify(rows)}`);
}

/** A workspace as a user starts one: an examples objective and a Lion rule file beside it. */
function ruleWorkspace(root: string): string {
  const dir = path.join(root, 'rules');
  fs.mkdirSync(dir);
  fs.copyFileSync(path.join(examples, 'rosenbrock.ts'), path.join(dir, 'rosenbrock.ts'));
  fs.writeFileSync(path.join(dir, 'lion.ts'), [
    "import * as tf from '@tensorflow/tfjs';",
    "import type { OptimizerRule } from 'optimizer-lab';",
    '',
    'export const lion: OptimizerRule<{ m: tf.Tensor }, { lr: number; beta1: number; beta2: number; weight_decay: number }> = {',
    '  defaults: { lr: 0.01, beta1: 0.9, beta2: 0.99, weight_decay: 0 },',
    '  init: (param) => ({ m: tf.zerosLike(param) }),',
    '  update: (grad, state, param, hp) => {',
    '    const c = state.m.mul(hp.beta1).add(grad.mul(1 - hp.beta1));',
    '    const next = param.mul(1 - hp.lr * hp.weight_decay).sub(c.sign().mul(hp.lr));',
    '    return { param: next, state: { m: state.m.mul(hp.beta2).add(grad.mul(1 - hp.beta2)) } };',
    '  },',
    '};',
    '',
  ].join('\n'));
  return dir;
}

function copyExamples(root: string, name: string): string {
  const dir = path.join(root, name);
  fs.cpSync(examples, dir, { recursive: true });
  return dir;
}

describe('Optimizer Lab installed from its .vsix in code-server', function () {
  this.timeout(180_000);
  let tmp: string;
  let server: CodeServer;
  let browser: Browser;
  let page: Page;

  before(async function () {
    this.timeout(300_000);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-ext-e2e-'));
    const vsix = realVsix();
    server = await startCodeServer({
      extensions: [vsix],
      settings: {
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'files.autoSave': 'off',
        // Sticky scroll lays the enclosing function's header over the lines below it: a token there cannot be hovered.
        'editor.stickyScroll.enabled': false,
        'optimizerLab.steps': 300,
        'optimizerLab.learningRate': 0.02,
      },
    });
    browser = await launchBrowser();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) {
      await screenshot(page, `failed-extension-${this.currentTest.title.replace(/\W+/g, '-')}`);
    }
  });

  after(async function () {
    await browser?.close();
    if (server) {
      await server.stop();
      assert.deepEqual(processGroup(server.pgid), [], 'code-server (or the runner) left processes behind');
    }
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  describe('trusted examples workspace', function () {
    let frame: FrameLocator;

    before(async function () {
      page = await openWorkbench(browser, server.folderUrl(copyExamples(tmp, 'examples')));
      await answerTrustPrompt(page, true);
      await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).waitFor({ state: 'detached' });
      frame = webviewFrame(page);
    });

    it('the objective type-checks without TensorFlow.js installed (the TypeScript plugin of the extension)', async function () {
      this.timeout(240_000);
      await openFile(page, 'rosenbrock.ts');
      // The hover on tf.square shows its declaration only once '@tensorflow/tfjs' resolved to real types.
      const hover = await hoverUntil(page, 'square', /square<.*Tensor.*TensorLike/);
      assert.match(hover, /square<.*Tensor.*TensorLike/);
      // A real mistake is reported by TypeScript (its diagnostics flow), the import is not.
      await replaceInEditor(page, 'gather(0);', 'gatherr(0);');
      await page.keyboard.press('Control+Shift+M');
      const broken = await waitForProblems(page, 'the TypeScript error on gatherr', (r) => r.some((t) => /gatherr/.test(t)));
      assert.ok(broken.some((t) => /Property 'gatherr' does not exist on type 'Tensor1D'/.test(t)), JSON.stringify(broken));
      assert.deepEqual(broken.filter((t) => /Cannot find module/.test(t)), []);
      await page.locator('.editor-instance .view-lines').first().click();
      await page.keyboard.press('Control+Z');
      const fixed = await waitForProblems(page, 'the error to clear', (r) => !r.some((t) => /gatherr/.test(t)));
      assert.deepEqual(fixed.filter((t) => /Cannot find module|rosenbrock/.test(t)), []);
      await page.locator('.tab.dirty').waitFor({ state: 'detached' });
      await runCommand(page, 'View: Hide Panel');
      assert.equal(await page.locator('.editor-instance .squiggly-error').count(), 0, 'no red squiggle in rosenbrock.ts');
      await hoverUntil(page, 'square', /square<.*Tensor.*TensorLike/);
      await screenshot(page, 'extension-00-types');
      await page.keyboard.press('Escape');
      // Off the editor: later screenshots show no hover underline.
      await page.mouse.move(1, 1);
    });

    it('▶ Run lens: the dashboard shows a loss curve that goes down', async function () {
      await openFile(page, 'rosenbrock.ts');
      const lens = page.locator('.codelens-decoration a', { hasText: '▶ Run (adam)' });
      await lens.waitFor({ timeout: 60_000 });
      await screenshot(page, 'extension-01-lenses');
      await lens.click();
      // A start the page missed is caught up from the host's snapshot (webview/dashboardModel.ts): wait for the named run.
      const view = await waitForDashboard(frame, 'the lens run to finish', (v) => v.runs.some((r) => r.done && r.optimizer === 'adam'));
      const run = view.runs.find((r) => r.done)!;
      assert.equal(run.optimizer, 'adam', JSON.stringify(view));
      assert.equal(run.steps, 300);
      // Rosenbrock from (−1.2, 1): 24.2; Adam at 0.02 reaches the curved valley (about 3) in 300 steps.
      assert.ok(run.last! < run.first! / 2, `loss ${run.first} -> ${run.last}`);
      await frame.locator('tr[data-run] td.status', { hasText: 'done' }).first().waitFor();
      // The lens now carries the result.
      await page.locator('.codelens-decoration a', { hasText: /▶ Run \(adam\) · .* after 300 steps/ }).waitFor();
      await screenshot(page, 'extension-02-lens-run');
    });

    it('Run optimizer from the palette: SGD with its learning rate', async function () {
      await page.locator('.editor-instance .view-lines').first().click();
      // The palette hands over to the command's own quick pick (runCommand would wait for it to close).
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.fill('>Optimizer Lab: Run optimizer');
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Optimizer Lab: Run optimizer' }).first().waitFor();
      await input.press('Enter');
      await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Optimizer' }).waitFor({ state: 'visible' });
      await input.fill('sgd');
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'sgd' }).first().waitFor();
      await input.press('Enter');
      await page.locator('.quick-input-widget', { hasText: 'learning rate' }).waitFor({ state: 'visible' });
      await input.fill('0.001');
      await input.press('Enter');
      const view = await waitForDashboard(frame, 'the SGD run to finish', (v) => v.runs.some((r) => r.optimizer === 'sgd' && r.done));
      const run = view.runs.find((r) => r.optimizer === 'sgd')!;
      assert.ok(run.last! < run.first!, `loss ${run.first} -> ${run.last}`);
      await screenshot(page, 'extension-03-palette-run');
    });

    it('live mode: editing a constant re-runs and keeps the previous run as a ghost', async function () {
      await page.locator('.editor-instance .view-lines').first().click();
      await runCommand(page, 'Optimizer Lab: Toggle live mode');
      await waitForDashboard(frame, 'the first live run', (v) => v.runs.length > 0 && v.runs.every((r) => r.done));
      await replaceInEditor(page, 'mul(100)', 'mul(10)');
      const view = await waitForDashboard(frame, 'a re-run with a ghost', (v) => v.ghosts > 0 && v.runs.length > 0 && v.runs.every((r) => r.done));
      assert.ok(view.runs.every((r) => r.last! < r.first!), JSON.stringify(view.runs));
      await frame.locator('tr.ghost-row').first().waitFor();
      await screenshot(page, 'extension-04-live-ghost');
    });

    it('a syntax error shows in the Problems panel and the dashboard banner, and both clear when fixed', async function () {
      await replaceInEditor(page, 'gather(0);', 'gather(0;');
      await page.keyboard.press('Control+Shift+M');
      const rows = await waitForProblems(page, 'the Optimizer Lab problem', (r) => r.some((t) => /Optimizer Lab/.test(t)));
      assert.ok(rows.some((t) => /Expected/.test(t)), JSON.stringify(rows));
      await frame.locator('.banner', { hasText: 'rosenbrock.ts' }).waitFor({ state: 'visible' });
      const broken = await dashboardView(frame);
      assert.ok(broken.banner, 'banner in the model');
      assert.ok(broken.runs.length > 0, 'the last good plots stay');
      await screenshot(page, 'extension-05-syntax-error');

      await replaceInEditor(page, 'gather(0;', 'gather(0);');
      await waitForProblems(page, 'the problem to clear', (r) => !r.some((t) => /Optimizer Lab/.test(t)));
      await frame.locator('.banner').waitFor({ state: 'hidden' });
      await waitForDashboard(frame, 'the fixed code to run', (v) => v.banner === null && v.runs.length > 0 && v.runs.every((r) => r.done));
      await screenshot(page, 'extension-06-fixed');
    });
  });

  describe('a workspace with an optimizer rule', function () {
    let frame: FrameLocator;

    before(async function () {
      await page?.context().close();
      page = await openWorkbench(browser, server.folderUrl(ruleWorkspace(tmp)));
      await answerTrustPrompt(page, true);
      await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).waitFor({ state: 'detached' });
      frame = webviewFrame(page);
    });

    it('▶ Try on rosenbrock above the rule: the dashboard shows a finished run named after the rule', async function () {
      await openFile(page, 'lion.ts');
      // The lens names the objective the workspace scan found in rosenbrock.ts.
      const lens = page.locator('.codelens-decoration a', { hasText: '▶ Try on rosenbrock' });
      await lens.waitFor({ timeout: 60_000 });
      await page.locator('.codelens-decoration a', { hasText: 'Compare with adam' }).waitFor();
      await lens.click();
      const view = await waitForDashboard(frame, 'the rule run to finish', (v) => v.runs.some((r) => r.optimizer === 'lion' && r.done));
      const run = view.runs.find((r) => r.optimizer === 'lion')!;
      assert.equal(view.runs.length, 1);
      assert.equal(run.steps, 300);
      assert.ok(run.last! < run.first! / 2, `loss ${run.first} -> ${run.last}`);
      await frame.locator('tr[data-run] td.status', { hasText: 'done' }).first().waitFor();
      assert.match(await frame.locator('tr[data-run]').first().innerText(), /\blion lr=0\.01\b/);
      // The dashboard's optimizer menu offers the workspace's rule beside the built-ins.
      assert.equal(await frame.locator('#ctl-optimizer optgroup[label="workspace rules"] option', { hasText: 'lion (lion.ts)' }).count(), 1);
      // The lens carries the result.
      await page.locator('.codelens-decoration a', { hasText: /▶ Try on rosenbrock · .* after 300 steps/ }).waitFor();
      // The run table (its row names the rule) in view beside the lens.
      await scrollRunsIntoView(frame);
      await screenshot(page, 'extension-08-rule-try');
    });

    it('Compare with adam runs the rule and the built-in adam side by side', async function () {
      await page.locator('.codelens-decoration a', { hasText: 'Compare with adam' }).click();
      // optimizerLab.newRun is 'add' by default: the Try's run stays drawn beside the two new ones.
      const view = await waitForDashboard(frame, 'both runs to finish', (v) => v.runs.length === 3 && v.runs.every((r) => r.done));
      assert.deepEqual(view.runs.map((r) => r.optimizer).sort(), ['adam', 'lion', 'lion']);
      await frame.locator('tr[data-run] td.status', { hasText: 'done' }).nth(2).waitFor();
      const labels = await frame.locator('tr[data-run]').allInnerTexts();
      assert.ok(labels.some((t) => /\blion lr=0\.01\b/.test(t)) && labels.some((t) => /\badam lr=0\.02\b/.test(t)), JSON.stringify(labels));
      await scrollRunsIntoView(frame);
      await screenshot(page, 'extension-09-rule-compare');
    });
  });

  describe('untrusted workspace', function () {
    before(async function () {
      await page?.context().close();
      page = await openWorkbench(browser, server.folderUrl(copyExamples(tmp, 'untrusted')));
      await answerTrustPrompt(page, false);
      await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).waitFor();
    });

    it('the lens shows a lock and Run optimizer explains why nothing runs', async function () {
      await openFile(page, 'rosenbrock.ts');
      await page.locator('.codelens-decoration a', { hasText: 'Optimizer Lab: trust this workspace' }).waitFor({ timeout: 60_000 });
      assert.equal(await page.locator('.codelens-decoration a', { hasText: '▶ Run' }).count(), 0);
      await page.locator('.editor-instance .view-lines').first().click();
      await runCommand(page, 'Optimizer Lab: Run optimizer');
      await page.locator('.notification-toast', { hasText: 'only runs in a trusted workspace' }).waitFor();
      // Let the toast's fade-in finish before the screenshot.
      await page.waitForTimeout(500);
      // Nothing ran: no dashboard, no quick pick for an optimizer.
      assert.equal(await page.locator('iframe.webview').count(), 0);
      await screenshot(page, 'extension-07-untrusted');
    });
  });
});
