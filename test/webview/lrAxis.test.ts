import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { DashboardEvent } from '../../src/protocol/webview';
import { useDashboardPage } from './harness/dashboardSuite';
import { allEvents } from './harness/eventStream';
import { send, settle } from './harness/pageDriver';

interface LossChart { data: { datasets: { label: string; data: { x: number; y: number }[] }[] }; options: { scales: { x: { type: string; title: { text: string } } } } }

/** The loss chart's points per dataset label, and its x axis. */
const lossChart = (page: Page) => page.evaluate(() => {
  const chart = (window as unknown as { optimizerLab: { chart(k: string): { chart: LossChart } } }).optimizerLab.chart('loss').chart;
  return { datasets: chart.data.datasets.map((d) => ({ label: d.label, xs: d.data.map((p) => p.x) })), x: { type: chart.options.scales.x.type, title: chart.options.scales.x.title.text } };
});

describe('dashboard: loss against the learning rate (headless Chromium)', function () {
  const suite = useDashboardPage({ failOnPageErrors: true });

  it('draws each step at its own lr on a log axis (the lr range test view) and goes back to steps', async () => {
    const page = suite.page;
    await send(page, { type: 'snapshot', version: 0, runs: [], ghosts: [], banner: null });
    const events = allEvents({ runId: 'cos', optimizer: 'sgd', lr: 0.001, steps: 200, schedule: 'cosine' });
    await send(page, { type: 'events', events });
    await settle(page);
    await page.selectOption('#view-x', 'lr');
    await settle(page);
    const expected = events.flatMap((e: DashboardEvent) => (e.type === 'steps' ? e.steps : [])).filter((s) => Number.isFinite(s.loss) && s.loss > 0).map((s) => s.lr);
    // A cosine schedule: the lrs differ, so drawing by step would not give these xs.
    assert.ok(new Set(expected).size > 100);
    const shown = await lossChart(page);
    const line = shown.datasets.find((d) => d.label.startsWith('sgd'));
    assert.ok(line, JSON.stringify(shown.datasets.map((d) => d.label)));
    assert.deepEqual(line.xs, expected);
    assert.deepEqual(shown.x, { type: 'logarithmic', title: 'learning rate' });
    await page.selectOption('#view-x', 'steps');
    await settle(page);
    const back = await lossChart(page);
    assert.deepEqual(back.x, { type: 'linear', title: 'step' });
    assert.deepEqual(back.datasets.find((d) => d.label.startsWith('sgd'))?.xs, expected.map((_, k) => k));
  });
});
