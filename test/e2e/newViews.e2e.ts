// Issue 23's views as a person sees them, in the real extension installed from its .vsix in code-server:
// a finished Rosenbrock run replays on the contour with the optimizer's arrows, its landscape turns into
// the 3-D surface, and a 5-parameter run's random slice offers the Interpolation card (start -> end).
// Screenshots: .artifacts/e2e/views-*.png (the README's come from here).
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

interface PageRun { runId: string; done: boolean; paramCount: number; params: (number[] | undefined)[] }
type Dash = { model: { runs: Map<string, { runId: string; done?: unknown; meta?: { paramCount: number }; steps: { params?: number[] }[] }> } };

/** The dashboard's runs as the page holds them. */
function pageRuns(frame: FrameLocator): Promise<PageRun[]> {
  return frame.locator('body').evaluate(() => {
    const dash = (window as unknown as { optimizerLab?: Dash }).optimizerLab;
    return [...(dash?.model.runs.values() ?? [])].map((r) => ({ runId: r.runId, done: r.done !== undefined, paramCount: r.meta?.paramCount ?? 0, params: r.steps.map((s) => s.params) }));
  });
}

async function waitForRuns(frame: FrameLocator, what: string, ok: (runs: PageRun[]) => boolean): Promise<PageRun[]> {
  const deadline = Date.now() + 120_000;
  let runs: PageRun[] = [];
  while (Date.now() < deadline) {
    runs = await pageRuns(frame).catch(() => []);
    if (ok(runs)) return runs;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}: ${JSON.stringify(runs.map((r) => ({ id: r.runId, done: r.done })))}`);
}

describe('issue 23 views in code-server (the real extension): replay, 3-D surface, interpolation', function () {
  this.timeout(240_000);
  let tmp: string;
  let server: CodeServer;
  let browser: Browser;
  let page: Page;
  let frame: FrameLocator;
  const card = () => frame.locator('section[data-chart="trajectory"]');

  before(async function () {
    this.timeout(400_000);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-views-e2e-'));
    server = await startCodeServer({
      extensions: [realVsix()],
      settings: { 'workbench.startupEditor': 'none', 'workbench.tips.enabled': false, 'editor.stickyScroll.enabled': false, 'optimizerLab.defaultOptimizer': 'adam',
        // The replay draws Adam's first moment and per-coordinate step too.
        'optimizerLab.replayOptimizerState': true, 'optimizerLab.learningRate': 0.02,
      },
    });
    browser = await launchBrowser();
    const dir = path.join(tmp, 'examples');
    fs.cpSync(examples, dir, { recursive: true });
    page = await openWorkbench(browser, server.folderUrl(dir));
    await answerTrustPrompt(page, true);
    await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).waitFor({ state: 'detached' });
    frame = webviewFrame(page);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) await screenshot(page, `failed-views-${this.currentTest.title.replace(/\W+/g, '-')}`);
  });

  after(async function () {
    await browser?.close();
    if (server) {
      await server.stop();
      assert.deepEqual(processGroup(server.pgid), [], 'code-server (or the runner) left processes behind');
    }
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('a finished Rosenbrock run replays: at step 120 the iterate is the run\'s parameters there, drawn with its arrows', async function () {
    await openFile(page, 'rosenbrock.ts');
    const lens = page.locator('.codelens-decoration a', { hasText: '▶ Run (adam)' });
    await lens.waitFor({ timeout: 90_000 });
    await lens.click();
    const [run] = await waitForRuns(frame, 'the Rosenbrock run', (runs) => runs.some((r) => r.done));
    // More room for the dashboard beside the editor.
    await runCommand(page, 'View: Close Primary Side Bar');
    const scrubber = card().locator('input.replay-step');
    await scrubber.waitFor();
    await scrubber.fill('120');
    assert.equal(await frame.locator('body').evaluate(() => (window as unknown as { optimizerLab: { replay: { step: number } } }).optimizerLab.replay.step), 120);
    type Frame = { runId: string; params: number[]; grad?: number[]; effectiveStep?: number[] };
    const frames = await frame.locator('body').evaluate(() => (window as unknown as { optimizerLab: { replay: { frames(): Frame[] } } }).optimizerLab.replay.frames());
    assert.deepEqual(frames.map((f) => f.runId), [run.runId]);
    assert.deepEqual(frames[0].params, run.params[120], 'the iterate is the run\'s record at step 120');
    assert.ok(frames[0].grad?.length === 2 && frames[0].effectiveStep?.length === 2, 'the gradient and Adam\'s effective step are there to draw');
    assert.match(await card().locator('.replay-label').innerText(), /step 120 \//);
    await screenshot(page, 'views-01-replay');
  });

  it('the surface toggle draws the contour\'s landscape as a 3-D surface (WebGL), and contour brings the chart back', async function () {
    const toggle = card().locator('.surface-toggle');
    await toggle.getByRole('button', { name: 'surface' }).click();
    const canvas = card().locator('canvas.surface-canvas');
    await canvas.waitFor({ state: 'visible' });
    const gl = await canvas.evaluate((c) => (c as HTMLCanvasElement).getContext('webgl2') !== null || (c as HTMLCanvasElement).getContext('webgl') !== null);
    assert.ok(gl, 'a WebGL context on the surface canvas');
    assert.equal(await toggle.getByRole('button', { name: 'surface' }).getAttribute('aria-pressed'), 'true');
    await new Promise((r) => setTimeout(r, 500));
    await screenshot(page, 'views-02-surface');
    await toggle.getByRole('button', { name: 'contour' }).click();
    await canvas.waitFor({ state: 'hidden' });
  });

  it('a 5-parameter run: its random slice, and Interpolate draws the loss from its start to its end', async function () {
    // Rosenbrock's lens would match too: its editor goes first.
    await page.locator('.editor-instance .view-lines').first().click();
    await runCommand(page, 'View: Close Editor');
    await openFile(page, 'quadratic.ts');
    // 'Landscape' runs it with the random slice (a plain Run of more than 2 parameters draws none).
    const lens = page.locator('.codelens-decoration a', { hasText: /^Landscape$/ }).first();
    await lens.waitFor({ timeout: 90_000 });
    await lens.click();
    await waitForRuns(frame, 'the 5-parameter run', (runs) => runs.some((r) => r.done && r.paramCount === 5));
    const interpolation = frame.locator('section[data-chart="interpolation"]');
    await interpolation.getByRole('button', { name: 'Interpolate' }).click();
    const drawn = () => frame.locator('body').evaluate(() => (window as unknown as { optimizerLab: { landscapes: { interpolation: { counts: { drawn: number } } } } }).optimizerLab.landscapes.interpolation.counts.drawn);
    const deadline = Date.now() + 60_000;
    while ((await drawn()) < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    assert.equal(await drawn(), 1, 'the line was drawn');
    const caption = await interpolation.locator('.caption').innerText();
    // A convex bowl: nothing along the line rises above the higher end.
    assert.match(caption, /from .*'s start \(t = 0\) to its end \(t = 1\).*no barrier/, caption);
    assert.match(await card().locator('.caption').innerText(), /random 2-D slice/);
    // The slice and the line in the picture: the Interpolation card's bottom at the window's.
    await interpolation.evaluate((e) => e.scrollIntoView({ block: 'end' }));
    await screenshot(page, 'views-03-interpolation');
  });

  it('the same run on the plane of the top two Hessian eigenvectors at its final point', async () => {
    await card().evaluate((e) => e.scrollIntoView({ block: 'start' }));
    await card().locator('select[aria-label="slice directions"]').selectOption('hessian');
    const caption = card().locator('.caption');
    const deadline = Date.now() + 90_000;
    while (!/Hessian eigenvectors/.test(await caption.innerText()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    const text = await caption.innerText();
    // The runner's answer: the plane through the final point, with its two eigenvalues in the caption.
    assert.match(text, /top two Hessian eigenvectors at .*'s final point \(λ₁ = [-\d.e+]+, λ₂ = [-\d.e+]+\)/, text);
    await screenshot(page, 'views-04-hessian-slice');
  });
});
