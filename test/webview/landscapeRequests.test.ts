import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Page } from 'playwright-core';
import type { WindowAsk, SliceAsk } from '../../src/protocol/landscapeViews';
import type { PathSlice } from '../../src/protocol/pathSlice';
import { runRequestSchema, type RunnerToHost } from '../../src/protocol/runner';
import type { DashboardEvent } from '../../src/protocol/webview';
import { selectBackend } from '../../src/runner/backend';
import { landscapeWindow } from '../../src/runner/landscapeWindow';
import { pathSliceGrid } from '../../src/runner/pathSliceGrid';
import { pathRecorder } from '../../src/runner/pathStore';
import { runObjective } from '../../src/runner/run';
import { useDashboardPage } from './harness/dashboardSuite';
import { allEvents, landscapeGrid } from './harness/eventStream';
import { repoRoot } from './harness/harnessServer';
import { type PageWindow, posted, send, settle } from './harness/pageDriver';

type Seen = { key: string; points: { x: number; y: number }[] };
type LandscapeWindow = PageWindow & {
  optimizerLab: PageWindow['optimizerLab'] & {
    landscapes: { counts: { drawn: number; stale: number }; zoomed?: { runId: string; grid: { xs: number[]; ys: number[] } } };
    chart(k: 'trajectory'): { seriesList(): Seen[]; chart: { canvas: HTMLCanvasElement; scales: Record<'x' | 'y', { min: number; max: number }> } };
  };
};
const SHOTS = path.join(repoRoot, '.artifacts', 'webview');

/** Runs `objective` of `file` in this process (the runner's code), with its path recorded as the runner process does. */
async function realRun(runId: string, file: string, objective: string, steps: number): Promise<DashboardEvent[]> {
  const backend = await selectBackend('cpu');
  const req = runRequestSchema.parse({ type: 'run', runId, file, objective, optimizer: { id: 'sgd', lr: 0.05 }, steps, landscape: true });
  const recorder = pathRecorder(req);
  const events: RunnerToHost[] = [];
  await runObjective(req, backend, tf, (m) => {
    recorder.see(m);
    events.push(m);
  }, { isCancelled: () => false, lrSet: () => undefined, stepDone: (step, x) => recorder.step(step, x) });
  return events.filter((m): m is DashboardEvent => ['started', 'steps', 'landscape', 'done'].includes(m.type));
}

describe('trajectory card: zoomed contour and path slices from the runner', function () {
  const suite = useDashboardPage({ failOnPageErrors: true });
  let page: Page;
  const card = () => page.locator('section[data-chart="trajectory"]');
  const state = () => page.evaluate(() => {
    const d = (window as unknown as LandscapeWindow).optimizerLab;
    const c = d.chart('trajectory');
    return { counts: { ...d.landscapes.counts }, zoomed: d.landscapes.zoomed && { runId: d.landscapes.zoomed.runId, x: d.landscapes.zoomed.grid.xs[0] }, series: c.seriesList().map((s) => ({ key: s.key, points: s.points.map((p) => ({ x: p.x, y: p.y })) })) };
  });
  const pixels = () => page.evaluate(() => {
    const c = (window as unknown as LandscapeWindow).optimizerLab.chart('trajectory').chart.canvas;
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let h = 0;
    for (let i = 0; i < data.length; i += 7) h = (h * 31 + data[i]) | 0;
    return h;
  });
  const asks = async <T extends WindowAsk | SliceAsk>(type: T['type']): Promise<T[]> => (await posted(page)).filter((m): m is T => m.type === type);

  before(async () => {
    await selectBackend('cpu');
    fs.mkdirSync(SHOTS, { recursive: true });
  });
  beforeEach(async () => {
    page = suite.page;
    await send(page, { type: 'snapshot', version: 0, runs: [], ghosts: [], banner: null });
  });

  it('zooming the contour asks once per settled window, draws only the latest answer over the window with the path kept, keeps it on an error, and reset drops it', async () => {
    const events = allEvents({ runId: 'a', optimizer: 'adam', lr: 0.02, steps: 300 });
    events.splice(1, 0, { type: 'landscape', runId: 'a', grid: landscapeGrid() });
    await send(page, { type: 'events', events });
    await settle(page);
    const pathBefore = (await state()).series.find((s) => s.key.endsWith(':path'))?.points.length;
    assert.equal(await card().getByLabel('slice directions').isVisible(), false, 'no slice selector on a contour');
    // Two quick clicks settle once: one request.
    await card().getByRole('button', { name: 'Zoom in' }).click();
    await card().getByRole('button', { name: 'Zoom in' }).click();
    await page.waitForFunction(() => (window as unknown as LandscapeWindow).__posted.some((m) => m.type === 'landscapeWindow'));
    await page.waitForTimeout(500);
    const first = await asks<WindowAsk>('landscapeWindow');
    assert.equal(first.length, 1, 'debounced: one request for two clicks');
    const scales = await page.evaluate(() => {
      const s = (window as unknown as LandscapeWindow).optimizerLab.chart('trajectory').chart.scales;
      return [[s.x.min, s.x.max], [s.y.min, s.y.max]];
    });
    assert.equal(first[0].runId, 'a');
    assert.deepEqual(first[0].box, scales, 'the request is the window shown');
    // Zoom in once more: a second request; the first one's answer is now stale.
    await card().getByRole('button', { name: 'Zoom in' }).click();
    await page.waitForFunction(() => (window as unknown as LandscapeWindow).__posted.filter((m) => m.type === 'landscapeWindow').length === 2);
    const second = (await asks<WindowAsk>('landscapeWindow'))[1];
    const rosenbrock = path.join(repoRoot, 'examples', 'rosenbrock.ts');
    const answer = async (ask: WindowAsk) => {
      const { grid, warning } = await landscapeWindow({ file: rosenbrock, objective: 'rosenbrock', seed: 0, box: ask.box }, tf);
      assert.ok(grid, warning);
      return { type: 'landscapeWindow', requestId: ask.requestId, runId: ask.runId, grid };
    };
    const before = await pixels();
    await send(page, await answer(first[0]));
    await settle(page);
    assert.deepEqual((await state()).counts, { drawn: 0, stale: 1 }, 'the stale answer is not drawn');
    assert.equal((await state()).zoomed, undefined);
    await send(page, await answer(second));
    await settle(page);
    const drawn = await state();
    assert.deepEqual(drawn.counts, { drawn: 1, stale: 1 });
    assert.deepEqual(drawn.zoomed, { runId: 'a', x: second.box[0][0] });
    assert.notEqual(await pixels(), before, 'the contour was redrawn');
    assert.equal(drawn.series.find((s) => s.key.endsWith(':path'))?.points.length, pathBefore, 'the path is kept');
    await card().screenshot({ path: path.join(SHOTS, 'zoomed-contour.png') });
    // A failed recompute keeps the contour drawn and says why.
    await card().getByRole('button', { name: 'Zoom out' }).click();
    await page.waitForFunction(() => (window as unknown as LandscapeWindow).__posted.filter((m) => m.type === 'landscapeWindow').length === 3);
    const third = (await asks<WindowAsk>('landscapeWindow'))[2];
    await send(page, { type: 'landscapeWindow', requestId: third.requestId, runId: 'a', warning: 'landscape not drawn: objective threw' });
    await settle(page);
    assert.deepEqual((await state()).zoomed, { runId: 'a', x: second.box[0][0] });
    assert.match(await card().locator('.note').textContent() ?? '', /objective threw/);
    await card().getByRole('button', { name: 'reset' }).click();
    await page.waitForTimeout(500);
    assert.equal((await state()).zoomed, undefined, 'reset goes back to the run\'s own grid');
    assert.equal((await asks<WindowAsk>('landscapeWindow')).length, 3, 'reset asks for nothing');
  });

  it('a 4-parameter run: the slice selector asks for the PCA slice and draws the projected path, with the explained variance in the caption', async () => {
    const file = path.join(repoRoot, 'test', 'fixtures', 'objectives', 'pathSlice.ts');
    const events = await realRun('bowl', file, 'diagonalBowl', 80);
    await send(page, { type: 'events', events });
    await settle(page);
    assert.equal(await card().getAttribute('data-mode'), 'slice2d', 'the random slice first');
    const selector = card().getByLabel('slice directions');
    assert.equal(await selector.isVisible(), true);
    await selector.selectOption('pca');
    const [ask] = await asks<SliceAsk>('pathSlice');
    assert.deepEqual({ method: ask.method, runIds: ask.runIds }, { method: 'pca', runIds: ['bowl'] });
    assert.match(await card().locator('.note').textContent() ?? '', /computing the PCA slice/);
    const result = await pathSliceGrid(ask, tf);
    assert.ok('slice' in result, 'warning' in result ? result.warning : '');
    const slice: PathSlice = result.slice;
    await send(page, { type: 'pathSlice', requestId: ask.requestId, slice });
    await settle(page);
    const drawn = (await state()).series.find((s) => s.key === 'bowl:slicePath');
    assert.ok(drawn, 'the projected path is a series');
    assert.deepEqual(drawn.points.map((p) => [p.x, p.y]), slice.paths[0].points, 'the projected path as the runner computed it');
    const explained = slice.explained ?? [NaN, NaN];
    const caption = await card().locator('.caption').textContent() ?? '';
    assert.ok(caption.includes(`PC1 explains ${(100 * explained[0]).toFixed(1)} %`), caption);
    assert.equal(await card().locator('.note').isHidden(), true, 'the status is cleared');
    await card().screenshot({ path: path.join(SHOTS, 'pca-slice.png') });
    // Back to the random slice: no request, the run's own slice.
    await selector.selectOption('random');
    await settle(page);
    assert.equal((await asks<SliceAsk>('pathSlice')).length, 1);
    assert.equal((await state()).series.some((s) => s.key === 'bowl:slicePath'), false);
    // A slice whose run is replaced goes, and the selector returns to random.
    await selector.selectOption('pca');
    const [, again] = await asks<SliceAsk>('pathSlice');
    await send(page, { type: 'pathSlice', requestId: again.requestId, slice });
    await settle(page);
    assert.equal((await state()).series.some((s) => s.key === 'bowl:slicePath'), true);
    await send(page, { type: 'snapshot', version: 1, runs: [], ghosts: [], banner: null });
    await send(page, { type: 'events', events: events.map((e) => ({ ...e, runId: 'other' })) });
    await settle(page);
    assert.equal((await state()).series.some((s) => s.key === 'bowl:slicePath'), false);
    assert.equal(await selector.inputValue(), 'random');
  });
});
