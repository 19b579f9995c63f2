import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Page } from 'playwright-core';
import type { SliceAsk } from '../../src/protocol/landscapeViews';
import { runsFromEvents } from '../../src/protocol/runHistory';
import { runRequestSchema, type RunnerToHost } from '../../src/protocol/runner';
import type { DashboardEvent } from '../../src/protocol/webview';
import { selectBackend } from '../../src/runner/backend';
import { pathSliceGrid } from '../../src/runner/pathSliceGrid';
import { pathRecorder } from '../../src/runner/pathStore';
import { runObjective } from '../../src/runner/run';
import { useDashboardPage } from './harness/dashboardSuite';
import { repoRoot } from './harness/harnessServer';
import { type PageWindow, posted, send, settle } from './harness/pageDriver';

type Grid = { xs: number[]; ys?: number[] };
type ZoomWindow = PageWindow & { optimizerLab: PageWindow['optimizerLab'] & { landscapes: { zoomed?: { runId: string; grid: Grid } } } };

/** The 4-parameter bowl run in this process (the runner's code) with its random slice, its path recorded as the runner does. */
async function realRun(runId: string): Promise<DashboardEvent[]> {
  const backend = await selectBackend('cpu');
  const file = path.join(repoRoot, 'test', 'fixtures', 'objectives', 'pathSlice.ts');
  const req = runRequestSchema.parse({ type: 'run', runId, file, objective: 'diagonalBowl', optimizer: { id: 'sgd', lr: 0.05 }, steps: 40, seed: 5, landscape: true });
  const recorder = pathRecorder(req);
  const events: RunnerToHost[] = [];
  await runObjective(req, backend, tf, (m) => {
    recorder.see(m);
    events.push(m);
  }, { isCancelled: () => false, lrSet: () => undefined, stepDone: (step, x) => recorder.step(step, x) });
  return events.filter((m): m is DashboardEvent => ['started', 'steps', 'landscape', 'done'].includes(m.type));
}

describe('trajectory card: zooming the random filter-normalised slice recomputes its grid over the window', function () {
  const suite = useDashboardPage({ failOnPageErrors: true });
  let page: Page;
  const card = () => page.locator('section[data-chart="trajectory"]');
  const asks = async (): Promise<SliceAsk[]> => (await posted(page)).filter((m): m is SliceAsk => m.type === 'pathSlice');
  const zoomedX = () => page.evaluate(() => {
    const xs = (window as unknown as ZoomWindow).optimizerLab.landscapes.zoomed?.grid.xs;
    return xs ? [xs[0], xs[xs.length - 1]] : undefined;
  });

  it('Ctrl+wheel asks the runner for the random plane over the window, draws it, and reset goes back to the run\'s grid', async () => {
    page = suite.page;
    await send(page, { type: 'events', events: await realRun('random-bowl') });
    await settle(page);
    assert.match(await card().locator('.caption').innerText(), /random 2-D slice/);
    const box = await card().locator('canvas').first().boundingBox();
    assert.ok(box);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.keyboard.down('Control');
    await page.mouse.wheel(0, -100);
    await page.keyboard.up('Control');
    await page.waitForFunction(() => (window as unknown as ZoomWindow).__posted.some((m) => m.type === 'pathSlice'));
    const [zoom] = await asks();
    assert.equal(zoom.method, 'random');
    assert.deepEqual(zoom.runIds, ['random-bowl']);
    assert.ok(zoom.box && zoom.box.length === 2, 'a box on both axes');
    const [lo, hi] = zoom.box[0];
    assert.ok(lo > -1 && hi < 1 && lo < hi, `the window [${lo}, ${hi}] is inside the run's [-1, 1]`);
    const answer = await pathSliceGrid(zoom, tf);
    assert.ok('slice' in answer, 'warning' in answer ? answer.warning : '');
    await send(page, { type: 'pathSlice', requestId: zoom.requestId, slice: answer.slice });
    await settle(page);
    const drawn = await zoomedX();
    assert.ok(drawn && Math.abs(drawn[0] - lo) < 1e-9 && Math.abs(drawn[1] - hi) < 1e-9, `the grid drawn spans the window: ${drawn?.join(', ')}`);
    assert.match(await card().innerText(), /grid recomputed for the zoomed window/);
    await card().getByRole('button', { name: 'reset' }).click();
    // A reset settles like a zoom (charts/zoom.ts waits for the wheel to stop), later than one settle() on a busy machine.
    await page.waitForFunction(() => (window as unknown as ZoomWindow).optimizerLab.landscapes.zoomed === undefined, undefined, { timeout: 30_000 }).catch(() => undefined);
    await settle(page);
    assert.equal(await zoomedX(), undefined, 'reset: the run\'s own grid again');
    assert.doesNotMatch(await card().innerText(), /grid recomputed for the zoomed window/);
    assert.equal((await asks()).length, 1, 'reset asks for nothing');
  });
  it('a 1-D random slice: Ctrl+wheel asks for the line over the window, draws it in place of the run\'s, and reset goes back', async () => {
    page = suite.page;
    // The same run with the 1-D slice a slow objective gets (the runner's line along the first direction over [-1, 1]).
    const events = await realRun('random-line');
    const own = await pathSliceGrid({ method: 'random', runIds: ['random-line'], box: [[-1, 1]] }, tf);
    assert.ok('slice' in own && own.slice.grid.kind === 'slice1d');
    const line = own.slice.grid;
    // A snapshot of this run alone: the 2-D run of the test before would be the slice drawn.
    await send(page, { type: 'snapshot', version: 0, runs: runsFromEvents(events.map((e) => (e.type === 'landscape' ? { ...e, grid: line } : e))), ghosts: [], banner: null });
    await settle(page);
    assert.match(await card().locator('.caption').innerText(), /random filter-normalised direction/);
    const before = (await asks()).length;
    const box = await card().locator('canvas').first().boundingBox();
    assert.ok(box);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.keyboard.down('Control');
    await page.mouse.wheel(0, -100);
    await page.keyboard.up('Control');
    await page.waitForFunction((n) => (window as unknown as ZoomWindow).__posted.filter((m) => m.type === 'pathSlice').length > n, before);
    const zoom = (await asks())[before];
    assert.equal(zoom.method, 'random');
    assert.deepEqual(zoom.runIds, ['random-line']);
    assert.ok(zoom.box && zoom.box.length === 1, 'a box on the one axis');
    const [lo, hi] = zoom.box[0];
    assert.ok(lo > -1 && hi < 1 && lo < hi, `the window [${lo}, ${hi}] is inside the run's [-1, 1]`);
    const answer = await pathSliceGrid(zoom, tf);
    assert.ok('slice' in answer && answer.slice.grid.kind === 'slice1d', 'warning' in answer ? answer.warning : '');
    await send(page, { type: 'pathSlice', requestId: zoom.requestId, slice: answer.slice });
    await settle(page);
    const curveX = () => page.evaluate(() => {
      const chart = (window as unknown as { optimizerLab: { chart(k: string): { chart: { data: { datasets: { label?: string; data: { x: number }[] }[] } } } } }).optimizerLab.chart('trajectory').chart;
      const data = chart.data.datasets.find((d) => d.label === 'loss')?.data ?? [];
      return data.length ? [data[0].x, data[data.length - 1].x] : undefined;
    });
    const drawn = await curveX();
    assert.ok(drawn && Math.abs(drawn[0] - lo) < 1e-9 && Math.abs(drawn[1] - hi) < 1e-9, `the line drawn spans the window: ${drawn?.join(', ')}`);
    assert.match(await card().innerText(), /grid recomputed for the zoomed window/);
    await card().getByRole('button', { name: 'reset' }).click();
    await page.waitForFunction(() => (window as unknown as ZoomWindow).optimizerLab.landscapes.zoomed === undefined, undefined, { timeout: 30_000 }).catch(() => undefined);
    await settle(page);
    assert.deepEqual(await curveX(), [-1, 1], 'reset: the run\'s own line again');
    assert.equal((await asks()).length, before + 1, 'reset asks for nothing');
  });
});
