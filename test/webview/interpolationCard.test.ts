import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Page } from 'playwright-core';
import type { InterpolationRequest } from '../../src/protocol/interpolation';
import { runRequestSchema, type RunnerToHost } from '../../src/protocol/runner';
import type { DashboardEvent } from '../../src/protocol/webview';
import { selectBackend } from '../../src/runner/backend';
import { interpolationProfile } from '../../src/runner/interpolationProfile';
import { pathRecorder } from '../../src/runner/pathStore';
import { runObjective } from '../../src/runner/run';
import { useDashboardPage } from './harness/dashboardSuite';
import { repoRoot } from './harness/harnessServer';
import { type PageWindow, posted, send, settle } from './harness/pageDriver';

type XY = { x: number; y: number };
type InterpolationWindow = PageWindow & {
  optimizerLab: PageWindow['optimizerLab'] & {
    landscapes: { interpolation: { counts: { drawn: number; stale: number }; chart?: { data: { datasets: { data: XY[] }[] } } } };
  };
};
const FILE = path.join(repoRoot, 'test', 'fixtures', 'objectives', 'interpolationWells.ts');
const SHOTS = path.join(repoRoot, '.artifacts', 'webview');
const wells = (x: number, y: number, z: number): number => (x * x - 1) ** 2 + y * y + z * z;

/** Runs the double well with `seed` in this process (the runner's code), its path recorded as the runner does. */
async function realRun(runId: string, seed: number): Promise<{ events: DashboardEvent[]; finalX: number }> {
  const backend = await selectBackend('cpu');
  const req = runRequestSchema.parse({ type: 'run', runId, file: FILE, objective: 'interpolationWells', seed, optimizer: { id: 'sgd', lr: 0.05 }, steps: 150, landscape: true });
  const recorder = pathRecorder(req);
  const events: RunnerToHost[] = [];
  await runObjective(req, backend, tf, (m) => {
    recorder.see(m);
    events.push(m);
  }, { isCancelled: () => false, lrSet: () => undefined, stepDone: (step, x) => recorder.step(step, x) });
  const done = events.find((m) => m.type === 'done');
  const finalX = done?.type === 'done' ? done.final.params[0] : NaN;
  return { events: events.filter((m): m is DashboardEvent => ['started', 'steps', 'landscape', 'done'].includes(m.type)), finalX };
}

describe('Interpolation card (issue 23): the loss along the line between two runs', function () {
  const suite = useDashboardPage({ failOnPageErrors: true });
  let page: Page;
  const card = () => page.locator('section[data-chart="interpolation"]');
  const asks = async (): Promise<InterpolationRequest[]> => (await posted(page)).filter((m): m is InterpolationRequest => m.type === 'interpolation');
  const drawnPoints = () => page.evaluate(() => (window as unknown as InterpolationWindow).optimizerLab.landscapes.interpolation.chart?.data.datasets[0].data.map((p) => ({ x: p.x, y: p.y })) ?? []);
  const runs: { id: string; events: DashboardEvent[]; finalX: number }[] = [];

  before(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    // Seeds until one run ends in each well (the seed picks the starting side).
    for (let seed = 0; seed < 12 && !(runs.some((r) => r.finalX < 0) && runs.some((r) => r.finalX > 0)); seed++) {
      const run = await realRun(`seed${seed}`, seed);
      if (!runs.some((r) => Math.sign(r.finalX) === Math.sign(run.finalX))) runs.push({ id: `seed${seed}`, ...run });
    }
    assert.equal(runs.length, 2, 'one run in each well');
  });
  beforeEach(async () => {
    page = suite.page;
    await send(page, { type: 'snapshot', version: 0, runs: [], ghosts: [], banner: null });
  });

  it('two runs in the two wells: Interpolate asks for both, the chart draws the double well\'s ridge and the caption its barrier height', async () => {
    assert.equal(await card().isVisible(), false, 'no card before any run');
    for (const r of runs) await send(page, { type: 'events', events: r.events.map((e) => ({ ...e, runId: r.id })) });
    await settle(page);
    assert.match(await card().locator('.note').textContent() ?? '', /final point to .*'s, to see whether a ridge/);
    await card().getByRole('button', { name: 'Interpolate' }).click();
    const [ask] = await asks();
    assert.deepEqual(ask.runIds, runs.map((r) => r.id));
    assert.match(await card().locator('.note').textContent() ?? '', /computing/);
    const result = await interpolationProfile(ask.runIds, tf);
    assert.ok('profile' in result, 'warning' in result ? result.warning : '');
    await send(page, { type: 'interpolation', requestId: 'someone-else', profile: result.profile });
    await send(page, { type: 'interpolation', requestId: ask.requestId, profile: result.profile });
    await settle(page);
    const points = await drawnPoints();
    assert.equal(points.length, 61, 'every t drawn');
    // The runs end near (±1, 0, 0): along the line the loss is the double well's, the ridge ≈ 1 at the middle.
    const [a, b] = runs.map((r) => r.finalX);
    for (const p of points) {
      const x = a + p.x * (b - a);
      assert.ok(Math.abs(p.y - wells(x, 0, 0)) < 1e-2 * Math.max(1, wells(x, 0, 0)), `t = ${p.x}: drawn ${p.y}, the well ${wells(x, 0, 0)}`);
    }
    const middle = points.find((p) => p.x === 0.5);
    assert.ok(middle && Math.abs(middle.y - 1) < 1e-2, `the ridge at t = 1/2: ${middle?.y}`);
    const caption = await card().locator('.caption').textContent() ?? '';
    assert.match(caption, /barrier height 0\.99\d*|barrier height 1(\.0+)?\b/, caption);
    assert.match(caption, /final point \(t = 0\)/);
    const counts = await page.evaluate(() => ({ ...(window as unknown as InterpolationWindow).optimizerLab.landscapes.interpolation.counts }));
    assert.deepEqual(counts, { drawn: 1, stale: 1 }, 'the other request\'s answer is not drawn');
    await card().screenshot({ path: path.join(SHOTS, 'interpolation-two-runs.png') });
    await page.screenshot({ path: path.join(SHOTS, 'interpolation-dashboard.png'), fullPage: true });
  });

  it('one run: start → end, no barrier (the loss falls into the well); a warning keeps the chart and says why', async () => {
    const [r] = runs;
    await send(page, { type: 'events', events: r.events.map((e) => ({ ...e, runId: r.id })) });
    await settle(page);
    await card().getByRole('button', { name: 'Interpolate' }).click();
    const [ask] = await asks();
    assert.deepEqual(ask.runIds, [r.id]);
    const result = await interpolationProfile(ask.runIds, tf);
    assert.ok('profile' in result, 'warning' in result ? result.warning : '');
    await send(page, { type: 'interpolation', requestId: ask.requestId, profile: result.profile });
    await settle(page);
    assert.equal((await drawnPoints()).length, 61);
    const caption = await card().locator('.caption').textContent() ?? '';
    assert.match(caption, /start \(t = 0\) to its end/);
    assert.match(caption, /no barrier/);
    await card().screenshot({ path: path.join(SHOTS, 'interpolation-start-end.png') });
    await card().getByRole('button', { name: 'Interpolate' }).click();
    const [, again] = await asks();
    await send(page, { type: 'interpolation', requestId: again.requestId, warning: 'interpolation not drawn: cancelled' });
    await settle(page);
    assert.equal(await card().locator('.note').textContent(), 'interpolation not drawn: cancelled');
    assert.equal((await drawnPoints()).length, 61, 'the chart stays');
    // New runs replace this one (a 2-parameter run has no slice): the line and the card go.
    await send(page, { type: 'snapshot', version: 1, runs: [], ghosts: [], banner: null });
    await settle(page);
    assert.equal(await card().isVisible(), false, 'no card once its run is gone');
  });
});
