/**
 * The dashboard's seed groups (mean and min–max band, one table row), the lr
 * slider's target (the selected run or every running run), the settings as the
 * controls' starting values, and labels that name the objective.
 */
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { runsFromEvents } from '../../src/protocol/runHistory';
import type { ControlDefaults, DashboardEvent, HostToWebviewInput } from '../../src/protocol/webview';
import { builtIns } from './harness/catalogue';
import { useDashboardPage } from './harness/dashboardSuite';
import { allEvents, type RunPlan } from './harness/eventStream';
import { counts, posted, send, settle } from './harness/pageDriver';

const optimizers = builtIns('sgd', 'adam');
const member = (seed: number): RunPlan => ({ runId: `s${seed}`, optimizer: 'adam', lr: 0.02, steps: 400, batch: 25, noise: 20, seed, group: 'g1' });

interface ChartData { label: string; data: { x: number; y: number }[] }
function lossData(page: Page): Promise<Record<string, { x: number; y: number }[]>> {
  return page.evaluate(() => {
    const dash = (window as unknown as { optimizerLab: { chart(k: string): { seriesList(): { key: string; points: { x: number; y: number }[] }[] } } }).optimizerLab;
    return Object.fromEntries(dash.chart('loss').seriesList().map((s) => [s.key, s.points]));
  });
}

describe('dashboard seed groups, lr target and control defaults (headless Chromium)', function () {
  const suite = useDashboardPage({ failOnPageErrors: true });
  let page: Page;
  beforeEach(() => {
    page = suite.page;
  });

  it('draws a streamed seed group as its mean with a min–max band, one table row with expandable members', async () => {
    await send(page, { type: 'snapshot', version: 0, runs: [], ghosts: [], banner: null, optimizers });
    const streams = [1, 2, 3].map((s) => allEvents(member(s)));
    const lone = allEvents({ runId: 'plain', optimizer: 'sgd', lr: 0.001, steps: 400 });
    // Interleave the members' batches as the host forwards them; the third lags behind.
    for (let i = 0; i < Math.max(...streams.map((s) => s.length)); i++) {
      const batch: DashboardEvent[] = [];
      for (const s of streams.slice(0, 2)) if (s[i]) batch.push(s[i]);
      if (i < 6) batch.push(streams[2][i]);
      if (lone[i]) batch.push(lone[i]);
      if (batch.length > 0) await send(page, { type: 'events', events: batch });
    }
    await settle(page);
    let c = await counts(page);
    // Six events of the third member: started + five batches of 25 steps.
    assert.equal(c.loss['g1:mean'], 125, 'the mean stops where the slowest running member is');
    await send(page, { type: 'events', events: streams[2].slice(6) });
    await settle(page);
    c = await counts(page);
    for (const k of ['g1:mean', 'g1:bandLow', 'g1:bandHigh']) assert.equal(c.loss[k], 400, k);
    assert.equal(c.loss['plain:loss'], 400);
    for (const s of [1, 2, 3]) assert.equal(c.loss[`s${s}:loss`], undefined, 'members are drawn as the group, not one by one');
    assert.equal(c.grad['s1:grad'], 400, 'other charts keep each seed');
    // The mean and band are the members' loss at each step.
    const runs = runsFromEvents(streams.flat());
    const data = await lossData(page);
    for (const k of [0, 57, 399]) {
      const losses = runs.map((r) => r.steps[k].loss);
      assert.ok(Math.abs(data['g1:mean'][k].y - losses.reduce((a, b) => a + b, 0) / 3) < 1e-9 * Math.max(...losses));
      assert.equal(data['g1:bandLow'][k].y, Math.min(...losses));
      assert.equal(data['g1:bandHigh'][k].y, Math.max(...losses));
    }
    assert.ok(runs[0].steps[50].loss !== runs[1].steps[50].loss, 'the seeds really differ (noisy gradients)');
    // The table: one group row (plus the plain run), members on demand.
    assert.equal(await page.locator('table.runs tbody tr').count(), 2);
    const group = page.locator('tr[data-group="g1"]');
    await group.getByText('× 3 seeds').waitFor();
    assert.match(await group.locator('td.num').first().innerText(), /±/);
    await group.locator('button[data-expand]').click();
    await settle(page);
    assert.equal(await page.locator('tr.member-row').count(), 3);
    assert.deepEqual(await page.locator('tr.member-row button[data-select]').allInnerTexts(), ['seed 1', 'seed 2', 'seed 3']);
    assert.equal(await group.locator('button[data-expand]').getAttribute('aria-expanded'), 'true');
    // Hiding the group hides its band and mean.
    await group.locator('input[type="checkbox"]').uncheck();
    await settle(page);
    c = await counts(page);
    assert.equal(c.loss['g1:mean'], undefined);
  });

  it('asks the host to repeat the selected run (or the last one) with N seeds', async () => {
    const snapshot: HostToWebviewInput = {
      type: 'snapshot', version: 0, ghosts: [], banner: null, optimizers,
      runs: runsFromEvents([...allEvents({ runId: 'a', optimizer: 'adam', lr: 0.02, steps: 50 }), ...allEvents({ runId: 'b', optimizer: 'sgd', lr: 0.001, steps: 50 })]),
    };
    await send(page, snapshot);
    await settle(page);
    await page.click('#ctl-repeat');
    await page.fill('#ctl-seeds', '3');
    await page.locator('#ctl-seeds').dispatchEvent('change');
    await page.locator('tr[data-run="a"] button[data-select]').click();
    await settle(page);
    assert.equal(await page.locator('tr[data-run="a"]').getAttribute('aria-selected'), 'true');
    await page.click('#ctl-repeat');
    const repeats = (await posted(page)).filter((m) => m.type === 'repeat');
    assert.deepEqual(repeats, [{ type: 'repeat', runId: 'b', seeds: 5 }, { type: 'repeat', runId: 'a', seeds: 3 }]);
  });

  it('sends a committed lr to the selected run only (to every running run without a selection) and marks where it applied', async () => {
    await send(page, { type: 'snapshot', version: 0, runs: [], ghosts: [], banner: null, optimizers });
    const a = allEvents({ runId: 'a', optimizer: 'adam', lr: 0.02, steps: 300 });
    const b = allEvents({ runId: 'b', optimizer: 'sgd', lr: 0.001, steps: 300 });
    await send(page, { type: 'events', events: [...a.slice(0, 2), ...b.slice(0, 2)] });
    await settle(page);
    assert.match(await page.locator('#ctl-lr-target').innerText(), /all 2 running runs/);
    await page.focus('#ctl-lr');
    await page.keyboard.press('End');
    let setLr = (await posted(page)).filter((m) => m.type === 'setLr');
    assert.deepEqual(setLr.map((m) => m.type === 'setLr' && m.runId), ['a', 'b']);
    await page.locator('tr[data-run="b"] button[data-select]').click();
    await settle(page);
    assert.match(await page.locator('#ctl-lr-target').innerText(), /sgd lr=0\.001/);
    await page.focus('#ctl-lr');
    await page.keyboard.press('Home');
    setLr = (await posted(page)).filter((m) => m.type === 'setLr');
    assert.deepEqual(setLr.slice(2), [{ type: 'setLr', runId: 'b', lr: 0.00001 }]);
    // The runner confirms where it applied: a marker at that step, in b's colour only.
    await send(page, { type: 'events', events: [{ type: 'lrChanged', runId: 'b', step: 150, lr: 0.00001 }, ...b.slice(2)] });
    await settle(page);
    const markers = await page.evaluate(() => (window as unknown as { optimizerLab: { chart(k: string): { markers(): { x: number; label: string }[] } } }).optimizerLab.chart('loss').markers());
    assert.deepEqual(markers.map((m) => [m.x, m.label]), [[150, 'lr→1.0e-5']]);
  });

  it('starts the controls from the settings in the snapshot until the user changes them', async () => {
    const snap = (defaults: ControlDefaults): HostToWebviewInput => ({ type: 'snapshot', version: 0, runs: [], ghosts: [], banner: null, optimizers, defaults });
    await send(page, snap({ optimizer: 'sgd', lr: 0.2, schedule: 'cosine', steps: 120 }));
    await settle(page);
    assert.equal(await page.inputValue('#ctl-optimizer'), 'sgd');
    assert.equal(await page.locator('#ctl-lr-value').innerText(), '0.2');
    assert.equal(await page.inputValue('#ctl-schedule'), 'cosine');
    assert.equal(await page.inputValue('#ctl-steps'), '120');
    // No lr setting: the optimizer's own default.
    await send(page, snap({ optimizer: 'adam', schedule: '', steps: 500 }));
    await settle(page);
    assert.equal(await page.locator('#ctl-lr-value').innerText(), '1.0e-3');
    await page.fill('#ctl-steps', '77');
    await page.locator('#ctl-steps').dispatchEvent('change');
    await send(page, snap({ optimizer: 'sgd', lr: 0.2, schedule: '', steps: 120 }));
    await settle(page);
    assert.equal(await page.inputValue('#ctl-steps'), '77', 'the user\'s choice wins over a later snapshot');
    assert.equal(await page.inputValue('#ctl-optimizer'), 'adam');
  });

  it('names the objective in run labels when several objectives are shown', async () => {
    const one = allEvents({ runId: 'r', optimizer: 'adam', lr: 0.02, steps: 20, objective: 'rosenbrock' });
    await send(page, { type: 'snapshot', version: 0, runs: runsFromEvents(one), ghosts: [], banner: null });
    await settle(page);
    assert.deepEqual(await page.locator('tr[data-run] button[data-select]').allInnerTexts(), ['adam lr=0.02']);
    const two = allEvents({ runId: 'q', optimizer: 'adam', lr: 0.02, steps: 20, objective: 'quadratic' });
    await send(page, { type: 'events', events: two });
    await settle(page);
    assert.deepEqual(await page.locator('tr[data-run] button[data-select]').allInnerTexts(), ['rosenbrock · adam lr=0.02', 'quadratic · adam lr=0.02']);
    const labels = await page.evaluate(() => (window as unknown as { optimizerLab: { chart(k: string): { chart: { data: { datasets: ChartData[] } } } } }).optimizerLab.chart('loss').chart.data.datasets.map((d) => d.label));
    assert.ok(labels.includes('quadratic · adam lr=0.02'), labels.join(', '));
  });
});
