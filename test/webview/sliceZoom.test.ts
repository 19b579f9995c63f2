import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Page } from 'playwright-core';
import type { SliceAsk } from '../../src/protocol/landscapeViews';
import { runRequestSchema, type RunnerToHost } from '../../src/protocol/runner';
import type { DashboardEvent } from '../../src/protocol/webview';
import { selectBackend } from '../../src/runner/backend';
import { pathSliceGrid } from '../../src/runner/pathSliceGrid';
import { pathRecorder } from '../../src/runner/pathStore';
import { runObjective } from '../../src/runner/run';
import { useDashboardPage } from './harness/dashboardSuite';
import { repoRoot } from './harness/harnessServer';
import { type PageWindow, posted, send, settle } from './harness/pageDriver';

type SliceWindow = PageWindow & { optimizerLab: PageWindow['optimizerLab'] & { landscapes: { slice?: { grid: { xs: number[]; ys?: number[] } } } } };

/** The 4-parameter bowl run in this process (the runner's code), its path recorded as the runner does. */
async function realRun(runId: string): Promise<DashboardEvent[]> {
  const backend = await selectBackend('cpu');
  const file = path.join(repoRoot, 'test', 'fixtures', 'objectives', 'pathSlice.ts');
  const req = runRequestSchema.parse({ type: 'run', runId, file, objective: 'diagonalBowl', optimizer: { id: 'sgd', lr: 0.05 }, steps: 80, landscape: true });
  const recorder = pathRecorder(req);
  const events: RunnerToHost[] = [];
  await runObjective(req, backend, tf, (m) => {
    recorder.see(m);
    events.push(m);
  }, { isCancelled: () => false, lrSet: () => undefined, stepDone: (step, x) => recorder.step(step, x) });
  return events.filter((m): m is DashboardEvent => ['started', 'steps', 'landscape', 'done'].includes(m.type));
}

describe('trajectory card: zooming a PCA / Hessian slice recomputes its grid over the window', function () {
  const suite = useDashboardPage({ failOnPageErrors: true });
  let page: Page;
  const card = () => page.locator('section[data-chart="trajectory"]');
  const asks = async (): Promise<SliceAsk[]> => (await posted(page)).filter((m): m is SliceAsk => m.type === 'pathSlice');
  const shownX = () => page.evaluate(() => {
    const xs = (window as unknown as SliceWindow).optimizerLab.landscapes.slice?.grid.xs ?? [];
    return [xs[0], xs[xs.length - 1]];
  });

  it('Zoom in asks for the same slice over the window, draws the answer over it, and reset goes back to the first grid', async () => {
    page = suite.page;
    await send(page, { type: 'events', events: await realRun('bowl') });
    await settle(page);
    await card().getByLabel('slice directions').selectOption('hessian');
    const [first] = await asks();
    const whole = await pathSliceGrid(first, tf);
    assert.ok('slice' in whole, 'warning' in whole ? whole.warning : '');
    await send(page, { type: 'pathSlice', requestId: first.requestId, slice: whole.slice });
    await settle(page);
    const unzoomed = await shownX();
    // A real click: it fails if anything covers the button (the header once overflowed behind the slice selector here).
    await card().getByRole('button', { name: 'Zoom in' }).click({ timeout: 5_000 });
    await page.waitForFunction(() => (window as unknown as SliceWindow).__posted.filter((m) => m.type === 'pathSlice').length === 2);
    const [, zoom] = await asks();
    assert.equal(zoom.method, 'hessian');
    assert.deepEqual(zoom.runIds, ['bowl']);
    assert.ok(zoom.box && zoom.box.length === 2, 'a box on both axes');
    const [lo, hi] = zoom.box[0];
    assert.ok(lo > unzoomed[0] && hi < unzoomed[1], `the window [${lo}, ${hi}] is inside [${unzoomed.join(', ')}]`);
    const zoomed = await pathSliceGrid(zoom, tf);
    assert.ok('slice' in zoomed, 'warning' in zoomed ? zoomed.warning : '');
    await send(page, { type: 'pathSlice', requestId: zoom.requestId, slice: zoomed.slice });
    await settle(page);
    const drawn = await shownX();
    assert.ok(Math.abs(drawn[0] - lo) < 1e-9 && Math.abs(drawn[1] - hi) < 1e-9, `the grid drawn spans the window: ${drawn.join(', ')}`);
    await card().getByRole('button', { name: 'reset' }).click({ timeout: 5_000 });
    await page.waitForTimeout(500);
    assert.deepEqual(await shownX(), unzoomed, 'reset: the first grid again');
    assert.equal((await asks()).length, 2, 'reset asks for nothing');
  });
});
