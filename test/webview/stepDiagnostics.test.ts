/** Per-tensor small multiples, the step-size gauge and the spectrum's density toggle (issue 21): pure parts, then the page. */
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { runsFromEvents } from '../../src/protocol/runHistory';
import type { DashboardEvent, RunSnapshot } from '../../src/protocol/webview';
import type { DrawnChart } from '../../webview/stepDiagnosticsCards';
import { backedAlpha, GAUGE_LIMIT } from '../../webview/stepGaugeChart';
import { onDensityAxis } from '../../webview/spectrumChart';
import { useDashboardPage } from './harness/dashboardSuite';
import { allEvents } from './harness/eventStream';
import { send, settle } from './harness/pageDriver';

const TENSORS = [{ name: 'w1', size: 6 }, { name: 'b1', size: 3 }];
/** Norms of tensor k at a step, by formula (so the test knows every point). */
const gradOf = (k: number, step: number) => (k + 1) * 2 ** (-step / 10);
const paramOf = (k: number, step: number) => 1 + k + step / 100;
const updateOf = (k: number, step: number) => 0.02 * gradOf(k, step);
/** α of the update arriving at `step`: a poor fit at step 5, one far past the edge at step 7, else a slow drift from understep to overstep. */
const gaugeOf = (step: number) =>
  step === 5 ? { alpha: 0.1, misfit: 0.9 } : step === 7 ? { alpha: 3, misfit: 0.01 } : { alpha: -0.8 + step / 25, misfit: 0.01 };

function withStepDiagnostics(runId: string, steps: number, batch?: number, seed?: number): DashboardEvent[] {
  return allEvents({ runId, optimizer: 'sgd', lr: 0.002, steps, curvatureEvery: 10, ...(batch ? { batch } : {}), ...(seed !== undefined ? { seed } : {}) }).map((e): DashboardEvent => {
    if (e.type === 'started') return { ...e, meta: { ...e.meta, tensors: TENSORS } };
    if (e.type === 'steps') {
      return {
        ...e,
        steps: e.steps.map((s) => ({
          ...s,
          tensors: { grad: [0, 1].map((k) => gradOf(k, s.step)), param: [0, 1].map((k) => paramOf(k, s.step)), update: [0, 1].map((k) => updateOf(k, s.step)) },
          ...(s.step > 0 ? { gauge: { ...gaugeOf(s.step), shape: 'convex' as const, sameBatch: true } } : {}),
        })),
      };
    }
    if (e.type === 'curvature') {
      const blocks = [
        { name: 'w1', size: 6, lambdaMax: 10 + e.sample.step, residual: 1e-3, converged: true, trace: 20, traceStdErr: 0.5 },
        { name: 'b1', size: 3, lambdaMax: 4, residual: 0.8, converged: false, trace: 5, traceStdErr: 0.2 },
      ];
      return { ...e, sample: { ...e.sample, blocks } };
    }
    return e;
  });
}

const drawnCharts = (page: Page) =>
  page.evaluate(() => (window as unknown as { optimizerLabStepDiagnostics: { drawn(): { tensors: DrawnChart[]; gauge: DrawnChart } } }).optimizerLabStepDiagnostics.drawn());

const dataset = (chart: DrawnChart, label: string) => {
  const found = chart.datasets.find((d) => d.label === label);
  assert.ok(found, `${chart.title} has '${label}' (has ${chart.datasets.map((d) => d.label).join(', ')})`);
  return found.data;
};

const near = (a: number, b: number) => Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b));

describe('dashboard: per-tensor small multiples, step-size gauge, density toggle', function () {
  it('a gauge is drawn only where its fit backs it', () => {
    assert.equal(backedAlpha({ alpha: 0.2, misfit: 0.1, shape: 'convex', sameBatch: true }), 0.2);
    assert.equal(backedAlpha({ alpha: 0.2, misfit: 0.9, shape: 'convex', sameBatch: true }), undefined);
    assert.equal(backedAlpha({ alpha: null, misfit: 0, shape: 'not-convex', sameBatch: true }), undefined);
  });

  it('the log density axis cuts the curve five decades below its peak (gaps, not zeros)', () => {
    const points = [{ x: 0, y: 2 }, { x: 1, y: 1e-3 }, { x: 2, y: 1e-6 }, { x: 3, y: 0 }];
    assert.deepEqual(onDensityAxis(points, false), points);
    const log = onDensityAxis(points, true).map((p) => p.y);
    assert.deepEqual(log.slice(0, 2), [2, 1e-3]);
    assert.ok(Number.isNaN(log[2]) && Number.isNaN(log[3]));
  });

  describe('in headless Chromium', () => {
    const suite = useDashboardPage({ failOnPageErrors: true });
    let page: Page;
    beforeEach(() => {
      page = suite.page;
    });

    it('one small chart per tensor on one step axis, every point the records\' norm, ratio and converged block λmax', async () => {
      const runs = runsFromEvents(withStepDiagnostics('mlp', 40));
      await send(page, { type: 'snapshot', version: 0, runs, ghosts: [], banner: null });
      await settle(page);
      assert.equal(await page.locator('section[data-chart="tensors"]').isVisible(), true);
      assert.deepEqual(await page.locator('section[data-chart="tensors"] .multiple h3').allInnerTexts(), ['w1 (6)', 'b1 (3)']);
      const { tensors } = await drawnCharts(page);
      assert.deepEqual(tensors.map((t) => t.title), ['w1', 'b1']);
      // The shared x axis: every small chart spans the run's 40 steps.
      assert.ok(tensors.every((t) => t.x.min === 0 && t.x.max === 40), JSON.stringify(tensors.map((t) => t.x)));
      const steps = (runs[0] as RunSnapshot).steps.map((s) => s.step);
      tensors.forEach((chart, k) => {
        const name = TENSORS[k].name;
        const check = (label: string, value: (step: number) => number) => {
          const data = dataset(chart, `${label} ${name}`);
          assert.deepEqual(data.map((p) => p.x), steps, `${label} ${name}: a point per record`);
          data.forEach((p) => assert.ok(near(p.y, value(p.x)), `${label} ${name} at ${p.x}: ${p.y} vs ${value(p.x)}`));
        };
        check('‖∇θ‖', (s) => gradOf(k, s));
        check('‖θ‖', (s) => paramOf(k, s));
        check('‖Δθ‖', (s) => updateOf(k, s));
        check('‖Δθ‖/‖θ‖', (s) => updateOf(k, s) / paramOf(k, s));
      });
      assert.deepEqual(dataset(tensors[0], 'block λmax w1').map((p) => [p.x, p.y]), [[0, 10], [10, 20], [20, 30], [30, 40], [40, 50]]);
      assert.deepEqual(dataset(tensors[1], 'block λmax b1'), [], 'an unconverged λmax (a bound) is not drawn');
      assert.match(await page.locator('section[data-chart="tensors"] .note').innerText(), /2 tensors, measured at 40 of 40 records/);
    });

    it('the small multiples grow as steps stream, on the same charts', async () => {
      const events = withStepDiagnostics('live', 60, 10);
      const cut = events.findIndex((e) => e.type === 'steps' && e.steps[e.steps.length - 1].step >= 30);
      await send(page, { type: 'snapshot', version: 0, runs: runsFromEvents(events.slice(0, cut)), ghosts: [], banner: null });
      await settle(page);
      const before = dataset((await drawnCharts(page)).tensors[1], '‖∇θ‖ b1').length;
      await send(page, { type: 'events', events: events.slice(cut) });
      await settle(page);
      const after = dataset((await drawnCharts(page)).tensors[1], '‖∇θ‖ b1');
      assert.ok(before > 0 && before < 60, `before: ${before}`);
      assert.equal(after.length, 60);
      assert.ok(near(after[59].y, gradOf(1, 59)));
    });

    it('the gauge: α at each update\'s step, the poor fit left out, the far overstep at the edge, the note in words', async () => {
      await send(page, { type: 'snapshot', version: 0, runs: runsFromEvents(withStepDiagnostics('mlp', 40)), ghosts: [], banner: null });
      await settle(page);
      assert.equal(await page.locator('section[data-chart="gauge"]').isVisible(), true);
      const { gauge } = await drawnCharts(page);
      const alpha = gauge.datasets.find((d) => d.label.startsWith('α '));
      assert.ok(alpha, gauge.datasets.map((d) => d.label).join(', '));
      const expected = Array.from({ length: 39 }, (_, i) => i + 1).filter((s) => s !== 5).map((s) => ({ x: s - 1, y: Math.min(gaugeOf(s).alpha, GAUGE_LIMIT) }));
      assert.equal(alpha.data.length, expected.length);
      alpha.data.forEach((p, i) => assert.ok(p.x === expected[i].x && near(p.y, expected[i].y), `α point ${i}: ${JSON.stringify(p)} vs ${JSON.stringify(expected[i])}`));
      const note = await page.locator('section[data-chart="gauge"] .note').innerText();
      assert.match(note, /1 of 39 not drawn \(misfit above 0\.5\)/);
      assert.match(note, /1 beyond ±1\.5 drawn at the edge/);
      assert.match(note, /oversteps/);
    });

    it('two runs that differ only by seed: the gauge names each one\'s seed, as the loss chart does', async () => {
      const runs = runsFromEvents([...withStepDiagnostics('seed1', 20, undefined, 1), ...withStepDiagnostics('seed2', 20, undefined, 2)]);
      await send(page, { type: 'snapshot', version: 0, runs, ghosts: [], banner: null });
      await settle(page);
      const labels = (await drawnCharts(page)).gauge.datasets.map((d) => d.label).filter((l) => l.startsWith('α '));
      assert.equal(labels.length, 2, labels.join(', '));
      assert.ok(labels.some((l) => / seed 1\b/.test(l)) && labels.some((l) => / seed 2\b/.test(l)), labels.join(', '));
    });

    it('no per-step diagnostics: both cards stay hidden', async () => {
      const runs = runsFromEvents(allEvents({ runId: 'plain', optimizer: 'adam', lr: 0.02, steps: 20 }));
      await send(page, { type: 'snapshot', version: 0, runs, ghosts: [], banner: null });
      await settle(page);
      assert.equal(await page.locator('section[data-chart="tensors"]').isVisible(), false);
      assert.equal(await page.locator('section[data-chart="gauge"]').isVisible(), false);
    });

    it('the spectrum card\'s toggle puts the density on a log axis and back', async () => {
      const events = allEvents({ runId: 'spec', optimizer: 'adam', lr: 0.02, steps: 20, curvatureEvery: 10 }).map((e) =>
        e.type === 'curvature' ? { ...e, sample: { ...e.sample, trace: 15, traceStdErr: 0.5, traceProbes: 8, traceMethod: 'hutchinson' as const, density: { nodes: [-2, 1, 2, 3, 4, 50], weights: [0.1, 0.2, 0.2, 0.2, 0.29, 0.01] } } } : e);
      await send(page, { type: 'snapshot', version: 0, runs: runsFromEvents(events), ghosts: [], banner: null });
      await settle(page);
      const axis = () => page.evaluate(() => {
        const c = (window as unknown as { optimizerLab: { chart(k: string): { chart: { scales: { y: { type: string } }; data: { datasets: { data: { y: number }[] }[] } } } } }).optimizerLab.chart('spectrum').chart;
        const ys = c.data.datasets[0].data.map((p) => p.y);
        return { type: c.scales.y.type, gaps: ys.filter((y) => Number.isNaN(y)).length, points: ys.length };
      });
      const linear = await axis();
      assert.deepEqual([linear.type, linear.gaps], ['linear', 0]);
      const toggle = page.locator('section[data-chart="spectrum"] [data-density-scale]');
      await toggle.click();
      await settle(page);
      const log = await axis();
      assert.equal(log.type, 'logarithmic');
      assert.ok(log.gaps > 0 && log.gaps < log.points, `the tails far below the peak are gaps: ${log.gaps} of ${log.points}`);
      assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
      await toggle.click();
      await settle(page);
      assert.deepEqual([(await axis()).type, (await axis()).gaps], ['linear', 0]);
    });
  });
});
