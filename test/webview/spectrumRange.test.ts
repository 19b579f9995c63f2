/**
 * The spectral-density card's eigenvalue-range toggle (issue 21): the bulk window by hand, then what the page draws;
 * and the curvature card's "density" toggle, which asks the next runs for the density (the CLI's --spectrum).
 */
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { runsFromEvents } from '../../src/protocol/runHistory';
import { toSymlog } from '../../webview/spectrumChart';
import { bulkWindow, outsideWindow } from '../../webview/spectrumRange';
import { useDashboardPage } from './harness/dashboardSuite';
import { allEvents } from './harness/eventStream';
import { posted, send, settle } from './harness/pageDriver';

/** A density with a bulk from −2 to 4 and one outlier at 50 carrying 1 % of the weight. */
const DENSITY = { nodes: [-2, 1, 2, 3, 4, 50], weights: [0.1, 0.2, 0.2, 0.2, 0.29, 0.01] };
/** By hand: the 2.5 % and 97.5 % weighted quantiles are −2 and 4; widened by 5 % of the width 6 on each side. */
const BULK: [number, number] = [-2.3, 4.3];

function runsWithDensity() {
  const events = allEvents({ runId: 'spec', optimizer: 'adam', lr: 0.02, steps: 20, curvatureEvery: 10 }).map((e) =>
    e.type === 'curvature' ? { ...e, sample: { ...e.sample, trace: 15, traceStdErr: 0.5, traceProbes: 8, traceMethod: 'hutchinson' as const, density: DENSITY } } : e);
  return runsFromEvents(events);
}

/** Σ wⱼ·N(λ; λⱼ, σ) with σ a fiftieth of the bulk window: the curve the bulk view must draw. */
function bulkDensityAt(lambda: number): number {
  const sigma = (BULK[1] - BULK[0]) / 50;
  return DENSITY.nodes.reduce((s, x, j) => s + (DENSITY.weights[j] * Math.exp(-0.5 * ((lambda - x) / sigma) ** 2)) / (sigma * Math.sqrt(2 * Math.PI)), 0);
}

interface Drawn {
  title: string;
  xType: string;
  yType: string;
  points: { x: number; y: number }[];
  ticks: { value: number; label: string }[];
}

function drawn(page: Page): Promise<Drawn> {
  return page.evaluate(() => {
    type Scale = { type: string; ticks: { value: number; label: string | string[] }[]; options: { title: { text: string } } };
    const c = (window as unknown as {
      optimizerLab: { chart(k: string): { chart: { scales: { x: Scale; y: Scale }; data: { datasets: { data: { x: number; y: number }[] }[] } } } };
    }).optimizerLab.chart('spectrum').chart;
    return {
      title: c.scales.x.options.title.text, xType: c.scales.x.type, yType: c.scales.y.type,
      points: c.data.datasets[0].data.map((p) => ({ x: p.x, y: p.y })),
      ticks: c.scales.x.ticks.map((t) => ({ value: t.value, label: String(t.label) })),
    };
  });
}

describe('dashboard: the spectrum card\'s eigenvalue range (all on symmetric log, or the bulk on linear)', function () {
  it('the bulk window holds the central 95 % of the weight, widened by 5 %; the outlier is said, not dropped', () => {
    const runs = runsWithDensity();
    const window = bulkWindow(runs);
    assert.ok(window);
    assert.ok(Math.abs(window[0] - BULK[0]) < 1e-12 && Math.abs(window[1] - BULK[1]) < 1e-12, `window ${window}`);
    const out = outsideWindow(DENSITY, window);
    assert.ok(Math.abs(out.weight - 0.01) < 1e-12);
    assert.deepEqual([out.below, out.above], [undefined, 50]);
  });

  describe('in headless Chromium', () => {
    const suite = useDashboardPage({ failOnPageErrors: true });

    it('the curvature card\'s "density" toggle makes Run and Compare ask for the spectrum, and pressed again stops asking', async () => {
      const page = suite.page;
      await send(page, { type: 'snapshot', version: 0, runs: [], ghosts: [], banner: null });
      await settle(page);
      const ask = page.locator('section[data-chart="curvature"] [data-ask-spectrum]');
      assert.equal(await ask.getAttribute('aria-pressed'), 'false');
      await page.click('#ctl-run');
      await ask.click();
      assert.equal(await ask.getAttribute('aria-pressed'), 'true');
      assert.equal(await ask.innerText(), '● density');
      await page.click('#ctl-run');
      await page.click('#ctl-compare');
      await ask.click();
      await page.click('#ctl-run');
      const asks = (await posted(page)).flatMap((m) => (m.type === 'run' || m.type === 'compare' ? [[m.type, m.ask.spectrum]] : []));
      assert.deepEqual(asks, [['run', undefined], ['run', true], ['compare', true], ['run', undefined]]);
    });

    it('"bulk" redraws the density over λ in the window on a linear axis, and "all λ" brings back the symmetric-log view', async () => {
      const page = suite.page;
      await send(page, { type: 'snapshot', version: 0, runs: runsWithDensity(), ghosts: [], banner: null });
      await settle(page);
      const all = await drawn(page);
      assert.equal(all.title, 'eigenvalue (symmetric log)');
      // The outlier's bump is drawn: on the symmetric-log axis (c = 50/1000) λ = 50 sits at t ≈ 3.
      const top = Math.max(...all.points.map((p) => p.x));
      assert.ok(top > toSymlog(50, 0.05), `the curve reaches past the outlier: ${top}`);

      const toggle = page.locator('section[data-chart="spectrum"] [data-eigen-range]');
      assert.equal(await toggle.innerText(), 'bulk');
      await toggle.click();
      await settle(page);
      const bulk = await drawn(page);
      assert.equal(bulk.title, 'eigenvalue (bulk, linear)');
      assert.deepEqual([bulk.xType, bulk.yType], ['linear', 'linear']);
      assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
      assert.equal(await toggle.innerText(), 'all λ');
      assert.match(await page.locator('section[data-chart="spectrum"] .caption').innerText(), /the bulk on a linear axis$/);
      // Every drawn point lies in the window and is the smoothed density at its λ.
      assert.ok(Math.abs(bulk.points[0].x - BULK[0]) < 1e-9 && Math.abs(bulk.points[bulk.points.length - 1].x - BULK[1]) < 1e-9);
      for (const p of bulk.points) assert.ok(Math.abs(p.y - bulkDensityAt(p.x)) <= 1e-9 * Math.max(1, bulkDensityAt(p.x)), `density at λ = ${p.x}: ${p.y}`);
      // Ticks name eigenvalues themselves (no symmetric-log labels): each label is its tick's value.
      assert.ok(bulk.ticks.length >= 2);
      for (const t of bulk.ticks) assert.ok(Math.abs(Number(t.label.replace('−', '-')) - t.value) <= 1e-9 + 1e-3 * Math.abs(t.value), `tick ${t.value} labelled ${t.label}`);
      const note = await page.locator('section[data-chart="spectrum"] .note').innerText();
      assert.match(note, /bulk λ ∈ \[-2\.3, 4\.3\]/);
      assert.match(note, /1 % of the weight outside \(up to 50\)/);

      // The density axis toggle works inside the bulk view: log, with the window kept.
      await page.locator('section[data-chart="spectrum"] [data-density-scale]').click();
      await settle(page);
      const logBulk = await drawn(page);
      assert.equal(logBulk.yType, 'logarithmic');
      assert.ok(logBulk.points.every((p) => p.x >= BULK[0] - 1e-9 && p.x <= BULK[1] + 1e-9));

      await toggle.click();
      await settle(page);
      const back = await drawn(page);
      assert.equal(back.title, 'eigenvalue (symmetric log)');
      assert.deepEqual(back.points.map((p) => p.x), all.points.map((p) => p.x));
      assert.doesNotMatch(await page.locator('section[data-chart="spectrum"] .note').innerText(), /bulk λ/);
      assert.match(await page.locator('section[data-chart="spectrum"] .caption').innerText(), /on a symmetric-log axis$/);
    });
  });
});
