import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { DashboardEvent, Landscape } from '../../src/protocol/webview';
import { useDashboardPage } from './harness/dashboardSuite';
import { allEvents } from './harness/eventStream';
import { counts, type PageWindow, send, settle } from './harness/pageDriver';

/** A run of `paramCount` parameters: the Rosenbrock stream with its meta changed and no params on the records (as the runner sends above 2). */
function runOf(runId: string, paramCount: number, landscape?: Landscape | { warning: string }): DashboardEvent[] {
  const events = allEvents({ runId, optimizer: 'adam', lr: 0.02, steps: 300 }).map((e): DashboardEvent => {
    if (e.type === 'started') {
      const { domain: _domain, ...meta } = e.meta;
      return { ...e, meta: { ...meta, paramCount, paramNames: Array.from({ length: paramCount }, (_, i) => `x[${i}]`), initialParams: Array(paramCount).fill(1) } };
    }
    if (e.type === 'steps') return { ...e, steps: e.steps.map(({ params: _params, ...s }) => s) };
    if (e.type === 'done') return { ...e, final: { ...e.final, params: Array(paramCount).fill(0.5) } };
    return e;
  });
  if (landscape) events.splice(1, 0, { type: 'landscape', runId, ...('warning' in landscape ? { warning: landscape.warning } : { grid: landscape }) });
  return events;
}

const alphas = (n: number) => Array.from({ length: n }, (_, i) => -1 + (2 * i) / (n - 1));
const bowl = (a: number, b = 0) => 3 + 4 * a * a + b * b + a * b;

function slice2d(n = 31): Landscape {
  const xs = alphas(n);
  return { kind: 'slice2d', xs, ys: xs, values: xs.map((b) => xs.map((a) => bowl(a, b))), axes: ['α (direction 1)', 'β (direction 2)'] };
}

function slice1d(n = 61): Landscape {
  const xs = alphas(n);
  return { kind: 'slice1d', xs, values: [xs.map((a) => bowl(a))], axes: ['α (random direction)'] };
}

describe('trajectory card: slices and curves', function () {
  const suite = useDashboardPage();
  let page: Page;
  beforeEach(async () => {
    page = suite.page;
    await send(page, { type: 'snapshot', version: 0, runs: [], ghosts: [], banner: null });
  });

  const card = () => page.locator('section[data-chart="trajectory"]');
  const show = async (events: DashboardEvent[]) => {
    await send(page, { type: 'events', events });
    await settle(page);
  };
  /** Distinct colours inside the chart area: a shaded, contoured landscape has thousands, lines alone about a hundred. */
  const colours = () => page.evaluate(() => {
    const c = (window as unknown as PageWindow).optimizerLab.chart('trajectory').chart as unknown as { canvas: HTMLCanvasElement; chartArea: { left: number; top: number; right: number; bottom: number } };
    const { left, top, right, bottom } = c.chartArea;
    const data = c.canvas.getContext('2d')!.getImageData(left, top, right - left, bottom - top).data;
    const seen = new Set<number>();
    for (let i = 0; i < data.length; i += 4) seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    return seen.size;
  });

  it('more than 2 parameters and no landscape: the card stays hidden', async () => {
    await show(runOf('big', 5));
    assert.equal(await card().isHidden(), true);
  });

  it('a 2-D slice: the contoured slice in α, β with the initial point at the origin, and its caption', async () => {
    await show(runOf('big', 5, slice2d()));
    assert.equal(await card().isVisible(), true);
    assert.equal(await card().getAttribute('data-mode'), 'slice2d');
    assert.match(await card().locator('.caption').innerText(), /random 2-D slice through the initial point .*Li et al/);
    const c = await counts(page);
    assert.deepEqual(c.trajectory, { 'big:x0': 1 });
    const axes = await page.evaluate(() => {
      const s = (window as unknown as PageWindow).optimizerLab.chart('trajectory').chart as unknown as { options: { scales: { x: { min: number; max: number; title: { text: string } }; y: { title: { text: string } } } } };
      return [s.options.scales.x.min, s.options.scales.x.max, s.options.scales.x.title.text, s.options.scales.y.title.text];
    });
    assert.deepEqual(axes, [-1, 1, 'α (direction 1)', 'β (direction 2)']);
    // Measured: ~2,200 with the shaded, contoured slice; ~115 for a plot of one antialiased curve and a point.
    assert.ok((await colours()) > 500, 'the landscape is drawn under the point');
  });

  it('a 1-D slice: the loss curve along α and the initial point on it', async () => {
    await show(runOf('big', 5, slice1d()));
    assert.equal(await card().getAttribute('data-mode'), 'slice1d');
    const c = await counts(page);
    assert.deepEqual(c.trajectory, { 'landscape:curve': 61, 'big:x0': 1 });
    const x0 = await page.evaluate(() => (window as unknown as PageWindow).optimizerLab.chart('trajectory').chart.data.datasets[1].data[0]);
    assert.deepEqual(x0, { x: 0, y: 3 });
  });

  it('one parameter: the curve and the path as (x, loss), one point per step and the final point', async () => {
    const events = allEvents({ runId: 'one', optimizer: 'sgd', lr: 0.001, steps: 40 }).map((e): DashboardEvent => {
      if (e.type === 'started') return { ...e, meta: { ...e.meta, paramCount: 1, paramNames: ['x'], initialParams: [-1.2], domain: [[-2, 2]] } };
      if (e.type === 'steps') return { ...e, steps: e.steps.map((s) => ({ ...s, params: [s.params?.[0] ?? NaN] })) };
      if (e.type === 'done') return { ...e, final: { ...e.final, params: [e.final.params[0]] } };
      return e;
    });
    const xs = Array.from({ length: 200 }, (_, i) => -2 + (4 * i) / 199);
    events.splice(1, 0, { type: 'landscape', runId: 'one', grid: { kind: 'curve', xs, values: [xs.map((x) => x * x)], axes: ['x'] } });
    await show(events);
    assert.equal(await card().getAttribute('data-mode'), 'curve');
    const c = await counts(page);
    assert.equal(c.trajectory['landscape:curve'], 200);
    assert.equal(c.trajectory['one:path'], 41);
  });

  it('shows the runner\'s landscape warning under the card', async () => {
    await show(runOf('big', 2, { warning: 'landscape not drawn: objective threw' }));
    const note = card().locator('.note');
    assert.equal(await note.isVisible(), true);
    assert.equal(await note.innerText(), 'landscape not drawn: objective threw');
  });
});
