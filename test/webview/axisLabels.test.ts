/**
 * Every chart axis shows at least two readable numbers, also when the data stay within one decade on a log axis
 * (Himmelblau under Adam: loss 170 → 139, ‖∇f‖ 26..50, |λ| 19..42) and in a narrow panel. Reads the labels Chart.js
 * lays out for drawing (after its auto-skip), not the options.
 */
import * as assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { runsFromEvents } from '../../src/protocol/runHistory';
import { launchChromium } from './harness/browser';
import { type HarnessServer, startHarness } from './harness/harnessServer';
import { himmelblauAdamEvents } from './harness/narrowRange';
import { type ChartKind, openDashboard, send, settle } from './harness/pageDriver';
import { scenarioSnapshot } from './harness/scenario';

interface AxisLabels { kind: string; axis: string; type: string; min: number; max: number; ticks: { value: number; label: string }[] }

interface LaidOutScale {
  type: string; min: number; max: number; ticks: { value: number }[];
  getLabelItems(): { label: string | string[] }[];
}

/** The labels each axis draws: Chart.js's label items pair one-to-one with the ticks kept after auto-skip. */
function axisLabels(page: Page, kinds: ChartKind[]): Promise<AxisLabels[]> {
  return page.evaluate((ks) => {
    type Lab = { chart(k: string): { chart: { scales: Record<string, LaidOutScale> } } };
    const lab = (window as unknown as { optimizerLab: Lab }).optimizerLab;
    return ks.flatMap((kind) => Object.entries(lab.chart(kind).chart.scales).map(([axis, s]) => {
      const items = s.getLabelItems();
      const ticks = s.ticks.map((t, i) => ({ value: t.value, label: [items[i]?.label ?? ''].flat().join(' ').trim() }));
      return { kind, axis, type: s.type, min: s.min, max: s.max, ticks: ticks.filter((t) => t.label !== '') };
    }));
  }, kinds);
}

/** A plain number: digits (thousands grouped or not), a decimal part, an exponent. */
const READABLE = /^[−-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?(e[+-]?\d+)?$/;

/** Every axis's problems, so a failure names all the unlabelled axes at once. */
function problems(axes: AxisLabels[], where: string): string[] {
  const found: string[] = [];
  for (const a of axes) {
    const at = `${where}: ${a.kind}.${a.axis} (${a.type} ${a.min}..${a.max}) labels ${JSON.stringify(a.ticks.map((t) => t.label))}`;
    if (a.ticks.length < 2) found.push(`${at}: fewer than two labelled values`);
    if (new Set(a.ticks.map((t) => t.label)).size !== a.ticks.length) found.push(`${at}: a label repeats`);
    const slack = 1e-9 * Math.max(Math.abs(a.min), Math.abs(a.max));
    for (const t of a.ticks) {
      const shown = Number(t.label.replace('−', '-').replaceAll(',', ''));
      if (!READABLE.test(t.label) || t.label.length > 8) found.push(`${at}: '${t.label}' is not a short plain number`);
      else if (Math.abs(shown - t.value) > 1e-3 * Math.abs(t.value)) found.push(`${at}: '${t.label}' stands at ${t.value}`);
      if (t.value < a.min - slack || t.value > a.max + slack) found.push(`${at}: ${t.value} lies off the axis`);
    }
  }
  return found;
}

function assertReadable(axes: AxisLabels[], where: string): void {
  assert.deepEqual(problems(axes, where), [], 'every axis shows at least two readable numbers on it');
}

const WIDTHS = [1200, 300];

describe('chart axes keep readable tick labels (headless Chromium)', function () {
  let server: HarnessServer;
  let browser: Browser;
  before(async () => {
    server = await startHarness();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const width of WIDTHS) {
    it(`labels log axes whose data stay within one decade (Himmelblau, Adam lr 1e-3), ${width}px wide`, async () => {
      const page = await openDashboard(browser, server, 'dark', width);
      try {
        const runs = runsFromEvents(himmelblauAdamEvents('himmelblau'));
        const losses = runs[0].steps.map((s) => s.loss);
        assert.ok(losses[0] === 170 && Math.min(...losses) > 130, 'the loss stays within 130..170 (below one decade)');
        await send(page, { type: 'snapshot', version: 0, runs, ghosts: [], banner: null });
        await settle(page);
        const axes = await axisLabels(page, ['loss', 'grad', 'lr', 'curvature']);
        const y = (kind: string) => axes.find((a) => a.kind === kind && a.axis === 'y');
        for (const kind of ['loss', 'grad', 'curvature']) assert.equal(y(kind)?.type, 'logarithmic', `${kind} stays a log axis`);
        // The axis ends where the data end, so labels on it are within the data's range.
        const loss = y('loss');
        assert.ok(loss && loss.max <= 171 && loss.min >= 130, `loss axis ${loss?.min}..${loss?.max} fits 139..170`);
        assertReadable(axes, `${width}px`);
      } finally {
        await page.close();
      }
    });

    it(`labels a gradient-norm chart whose norms stay within one decade, ${width}px wide`, async () => {
      const page = await openDashboard(browser, server, 'dark', width);
      try {
        // ‖Δx‖ = 0.5 ‖∇f‖ (what gradient descent at lr 0.5 reports), so both lines stay within 13..50.
        const events = himmelblauAdamEvents('gd').map((e) => (e.type === 'steps' ? { ...e, steps: e.steps.map((r) => ({ ...r, updateNorm: 0.5 * r.gradNorm })) } : e));
        await send(page, { type: 'snapshot', version: 0, runs: runsFromEvents(events), ghosts: [], banner: null });
        await settle(page);
        const axes = await axisLabels(page, ['grad']);
        const y = axes.find((a) => a.axis === 'y');
        assert.ok(y && y.type === 'logarithmic' && y.max / y.min < 10, `grad axis ${y?.min}..${y?.max} spans less than a decade`);
        assertReadable(axes, `${width}px`);
      } finally {
        await page.close();
      }
    });

    it(`labels every axis of the demo scenario (several decades, linear lr steps), ${width}px wide`, async () => {
      const page = await openDashboard(browser, server, 'dark', width);
      try {
        await send(page, scenarioSnapshot());
        await settle(page);
        assertReadable(await axisLabels(page, ['loss', 'grad', 'lr', 'curvature', 'trajectory']), `${width}px`);
      } finally {
        await page.close();
      }
    });
  }

  it('labels a log-log loss plot whose x axis spans few decades, in a narrow panel', async () => {
    const page = await openDashboard(browser, server, 'dark', 300);
    try {
      await send(page, { type: 'snapshot', version: 0, runs: runsFromEvents(himmelblauAdamEvents('h', 40)), ghosts: [], banner: null });
      await page.locator('#view-loglog').check();
      await settle(page);
      const axes = await axisLabels(page, ['loss']);
      assert.deepEqual(axes.map((a) => a.type), ['logarithmic', 'logarithmic'], 'log-log');
      assertReadable(axes, '300px log-log');
    } finally {
      await page.close();
    }
  });
});
