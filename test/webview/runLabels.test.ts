/** Run labels tell apart runs that differ only by seed, in the charts and the runs table (issue 23). */
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { runsFromEvents } from '../../src/protocol/runHistory';
import { labelScope, runLabel } from '../../webview/charts/buildSeries';
import { useDashboardPage } from './harness/dashboardSuite';
import { allEvents, type RunPlan } from './harness/eventStream';
import { send, settle } from './harness/pageDriver';

const plan = (runId: string, seed: number, lr = 0.02): RunPlan => ({ runId, optimizer: 'adam', lr, steps: 20, seed });
const runs = (...plans: RunPlan[]) => runsFromEvents(plans.flatMap((p) => allEvents(p)));

describe('run labels name the seed only where it tells runs apart', () => {
  it('labelScope: a seed for runs that share a label otherwise, none for the rest', () => {
    const [a, b, c] = runs(plan('a', 1), plan('b', 2), plan('c', 1, 0.1));
    const label = (r: typeof a, on: typeof a[]) => runLabel(r, labelScope(r, on));
    assert.deepEqual([a, b, c].map((r) => label(r, [a, b, c])), ['adam lr=0.02 seed 1', 'adam lr=0.02 seed 2', 'adam lr=0.1']);
    assert.equal(label(a, [a, c]), 'adam lr=0.02', 'alone with its label: no seed');
    // The same seed twice (a re-run) is not told apart by naming it.
    const [again] = runs(plan('again', 1));
    assert.equal(label(a, [a, again]), 'adam lr=0.02');
  });

  describe('in the page', function () {
    const suite = useDashboardPage({ failOnPageErrors: true });
    let page: Page;
    const datasetLabels = (): Promise<string[]> => page.evaluate(() =>
      (window as unknown as { optimizerLab: { chart(k: string): { chart: { data: { datasets: { label: string }[] } } } } }).optimizerLab.chart('loss').chart.data.datasets.map((d) => d.label));

    it('two runs on seeds 1 and 2: distinct table names and loss-chart labels; a third run keeps its plain label', async () => {
      page = suite.page;
      await send(page, { type: 'snapshot', version: 0, runs: runs(plan('s1', 1), plan('s2', 2), plan('other', 1, 0.1)), ghosts: [], banner: null });
      await settle(page);
      const names = await page.locator('tr[data-run] button[data-select]').allInnerTexts();
      assert.deepEqual(names, ['adam lr=0.02 seed 1', 'adam lr=0.02 seed 2', 'adam lr=0.1']);
      const labels = await datasetLabels();
      for (const want of names) assert.ok(labels.includes(want), `${want} in ${labels.join(', ')}`);
    });
  });
});
