import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import type { LrFinderView } from '../../src/protocol/lrFinder';
import { lrFindResultSchema, type LrFindResult } from '../../src/protocol/sweep';
import { useDashboardPage } from './harness/dashboardSuite';
import { posted, send, settle } from './harness/pageDriver';

const root = path.resolve(__dirname, '../..');
/** Where the card's screenshots go (ignored by git). */
const SCREENSHOT = path.join(root, '.artifacts', 'lr-finder-card.png');
const SCREENSHOT_RUNNING = path.join(root, '.artifacts', 'lr-finder-card-running.png');

interface XY { x: number; y: number }
interface CardWindow {
  optimizerLabLrFinder: {
    rejected: string[];
    model?: { loss: XY[]; smoothed: XY[]; suggestions: { kind: string; lr: number; segment: XY[] }[]; logLoss: boolean; yMin: number; yMax: number };
    chart?: {
      data: { datasets: { label: string; role: string; data: XY[] }[] };
      scales: Record<string, { type: string; min: number; max: number; getPixelForValue(v: number): number; ticks: { value: number }[] }>;
      getDatasetMeta(i: number): { data: { x: number; y: number }[] };
    };
  };
  optimizerLab: { ui: { controls: { lr: number }; controlsChanged: boolean } };
}

const card = (page: Page) => page.evaluate(() => {
  const c = (window as unknown as CardWindow).optimizerLabLrFinder;
  const chart = c.chart!;
  return {
    model: c.model!,
    datasets: chart.data.datasets.map((d) => ({ label: d.label, role: d.role, data: d.data.map((p) => ({ ...p })) })),
    x: { type: chart.scales.x.type, min: chart.scales.x.min, max: chart.scales.x.max, ticks: chart.scales.x.ticks.map((t) => t.value) },
    y: { type: chart.scales.y.type },
    laidOut: chart.data.datasets.map((_, i) => chart.getDatasetMeta(i).data.length),
    rejected: c.rejected,
  };
});

/** The `optlab lr-find --json` result as the host's view of a finished test. */
function viewOf(result: LrFindResult, points = result.points.length, status: LrFinderView['status'] = 'done'): LrFinderView {
  const finished = status === 'done';
  return {
    type: 'lrFinderView', file: 'examples/rosenbrock.ts', objective: result.objective, optimizer: { id: result.optimizer.id, isDefault: true },
    range: { from: result.from, to: result.to, steps: result.steps }, status, points: result.points.slice(0, points),
    ...(finished && result.stoppedAt !== undefined ? { stoppedAt: result.stoppedAt } : {}),
    ...(finished ? { suggestions: result.suggestions } : {}),
  };
}

describe('LR finder card (a real `optlab lr-find` result)', function () {
  let result: LrFindResult;
  before(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-lr-find-'));
    const file = path.join(dir, 'lr.json');
    await promisify(execFile)(process.execPath, [
      path.join(root, 'dist', 'cli.js'), 'lr-find', path.join(root, 'examples', 'rosenbrock.ts'), '--optimizer', 'adam', '--json', file,
    ], { cwd: root });
    result = lrFindResultSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
    assert.ok(result.suggestions.steepest !== undefined && result.suggestions.minimumOverTen !== undefined, 'adam on Rosenbrock gets both suggestions');
  });
  const suite = useDashboardPage({ failOnPageErrors: true });
  let page: Page;
  beforeEach(async () => {
    page = suite.page;
    await send(page, { type: 'snapshot', version: 0, runs: [], ghosts: [], banner: null, defaults: { optimizer: 'adam', lr: 0.01, schedule: '', steps: 500 } });
  });

  it('streams: a running test draws the points so far, without suggestions', async () => {
    await send(page, viewOf(result, 20, 'running'));
    await settle(page);
    const shown = await card(page);
    assert.deepEqual(shown.datasets.map((d) => d.role), ['loss', 'smoothed']);
    assert.equal(shown.datasets[0].data.length, 20);
    assert.match(await page.locator('.lr-finder-status').innerText(), /running: 20 steps/);
    assert.equal(await page.locator('.lr-finder-actions button').count(), 0);
    await send(page, viewOf(result, 40, 'running'));
    await settle(page);
    assert.equal((await card(page)).datasets[1].data.length, 40, 'the same chart takes the new points');
    fs.mkdirSync(path.dirname(SCREENSHOT_RUNNING), { recursive: true });
    await page.locator('section[data-chart="lr-finder"]').screenshot({ path: SCREENSHOT_RUNNING });
  });

  it('draws loss and smoothed loss against lr on a log axis, and a vertical line at each suggestion', async () => {
    await send(page, viewOf(result));
    await settle(page);
    const shown = await card(page);
    assert.equal(shown.x.type, 'logarithmic');
    assert.deepEqual([shown.x.min, shown.x.max], [result.from, result.to]);
    assert.ok(shown.x.ticks.length >= 2 && shown.x.ticks.every((t) => t >= result.from && t <= result.to));
    const loss = shown.datasets.find((d) => d.role === 'loss')!;
    const smoothed = shown.datasets.find((d) => d.role === 'smoothed')!;
    assert.deepEqual(loss.data, result.points.map((p) => ({ x: p.lr, y: p.loss })));
    assert.deepEqual(smoothed.data, result.points.map((p) => ({ x: p.lr, y: p.smoothed })));
    for (const kind of ['steepest', 'minimumOverTen'] as const) {
      const line = shown.datasets.find((d) => d.role === kind)!;
      const lr = result.suggestions[kind] as number;
      assert.deepEqual(line.data.map((p) => p.x), [lr, lr], `${kind} is a vertical line at its lr`);
      assert.deepEqual(line.data.map((p) => p.y), [shown.model.yMin, shown.model.yMax], 'spanning the loss axis');
    }
    // Drawn: Chart.js laid out every point of every dataset.
    assert.deepEqual(shown.laidOut, shown.datasets.map((d) => d.data.length));
    const stop = result.stoppedAt !== undefined ? `stopped at step ${result.stoppedAt}` : `ran all ${result.points.length} steps`;
    assert.match(await page.locator('.lr-finder-status').innerText(), new RegExp(stop));
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.locator('section[data-chart="lr-finder"]').screenshot({ path: SCREENSHOT });
  });

  it('"Use this lr" sets the Run controls\' lr and tells the host, for the setting', async () => {
    await send(page, viewOf(result));
    await settle(page);
    await page.locator('.lr-finder-actions button[data-suggestion="steepest"]').click();
    const expected = Number((result.suggestions.steepest as number).toPrecision(3));
    const ui = await page.evaluate(() => ({ ...(window as unknown as CardWindow).optimizerLab.ui.controls, changed: (window as unknown as CardWindow).optimizerLab.ui.controlsChanged }));
    assert.equal(ui.lr, expected);
    assert.equal(ui.changed, true, 'a later snapshot\'s defaults do not overwrite it');
    assert.equal(await page.locator('#ctl-lr-value').innerText(), expected >= 0.01 ? String(expected) : expected.toExponential(1));
    const sent = (await posted(page)).filter((m) => m.type === 'useLr');
    assert.deepEqual(sent, [{ type: 'useLr', lr: expected, optimizer: 'adam' }]);
    // The next Run asks for that lr, exactly.
    await page.locator('#ctl-run').click();
    const runs = (await posted(page)).filter((m) => m.type === 'run');
    assert.equal(runs.length, 1);
    assert.equal(runs[0].type === 'run' && runs[0].ask.optimizer.lr, expected);
  });

  it('"Find lr" beside Run asks the host for the test with the menu\'s optimizer; the answer fills the card, whose "Use lr" sets the lr', async () => {
    const buttons = await page.locator('.controls .buttons button').evaluateAll((list) => list.map((b) => b.id));
    assert.deepEqual(buttons.slice(0, 3), ['ctl-run', 'ctl-compare', 'ctl-find-lr'], 'beside Run and Compare');
    assert.equal(await page.locator('section[data-chart="lr-finder"]').isVisible(), false, 'no card before a test');
    const menu = await page.locator('#ctl-optimizer').inputValue();
    await page.locator('#ctl-find-lr').click();
    const asked = (await posted(page)).filter((m) => m.type === 'findLr');
    assert.deepEqual(asked, [{ type: 'findLr', optimizer: { id: menu } }]);
    // The host answers as findLrFromDashboard does: the session's views, streamed into the card.
    await send(page, { ...viewOf(result, 30, 'running'), optimizer: { id: menu, isDefault: true } });
    await send(page, { ...viewOf(result), optimizer: { id: menu, isDefault: true } });
    await settle(page);
    assert.equal(await page.locator('section[data-chart="lr-finder"]').isVisible(), true);
    await page.locator('.lr-finder-actions button[data-suggestion="minimumOverTen"]').click();
    const expected = Number((result.suggestions.minimumOverTen as number).toPrecision(3));
    assert.equal(await page.evaluate(() => (window as unknown as CardWindow).optimizerLab.ui.controls.lr), expected);
    assert.deepEqual((await posted(page)).filter((m) => m.type === 'useLr'), [{ type: 'useLr', lr: expected, optimizer: menu }]);
  });

  it('an error names the user\'s file:line; a bad message is refused whole', async () => {
    await send(page, { ...viewOf(result, 3, 'error'), error: { message: 'loss is not a scalar', file: 'examples/broken.ts', line: 12 } });
    await settle(page);
    assert.equal(await page.locator('.lr-finder-error').innerText(), 'examples/broken.ts:12: loss is not a scalar');
    await send(page, { ...viewOf(result), points: [{ step: 0, lr: -1, loss: 1, smoothed: 1 }] });
    await settle(page);
    const shown = await card(page);
    assert.equal(shown.rejected.length, 1);
    assert.match(shown.rejected[0], /points\.0\.lr/);
    assert.equal(shown.datasets[0].data.length, 3, 'the shown test stays');
  });
});
