/** The loss axis: log by default, linear when a loss goes below 0, and a cap only for blow-ups. */
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { runsFromEvents } from '../../src/protocol/runHistory';
import type { DashboardEvent } from '../../src/protocol/webview';
import { useDashboardPage } from './harness/dashboardSuite';
import { allEvents } from './harness/eventStream';
import { counts, send, settle } from './harness/pageDriver';

interface Scale { type: string; max: number; min: number; options: { title: { text: string } } }
function lossScale(page: Page): Promise<{ type: string; max: number; min: number; title: string }> {
  return page.evaluate(() => {
    const y = (window as unknown as { optimizerLab: { chart(k: string): { chart: { scales: { y: Scale } } } } }).optimizerLab.chart('loss').chart.scales.y;
    return { type: y.type, max: y.max, min: y.min, title: y.options.title.text };
  });
}

/** x + sin x from 2.5 by gradient descent at lr 1 (examples/learningRate.ts): the loss falls to −π. */
function xPlusSinX(runId: string, steps: number): DashboardEvent[] {
  let x = 2.5;
  const records = [];
  for (let k = 0; k < steps; k++) {
    const g = 1 + Math.cos(x);
    records.push({ step: k, loss: x + Math.sin(x), gradNorm: Math.abs(g), updateNorm: Math.abs(g), lr: 1, evals: k + 1, wallMs: k, params: [x] });
    x -= g;
  }
  return [
    {
      type: 'started', runId, meta: {
        objective: 'xPlusSinX', optimizer: { id: 'sgd', lr: 1, hp: {} }, paramCount: 1, paramNames: ['x[0]'], steps, seed: 0,
        backend: 'cpu', tfjsVersion: '4.22.0', sourceHash: 'h', schedulePreview: [], initialParams: [2.5], domain: [[-8, 4]],
      },
    },
    { type: 'steps', runId, steps: records.slice(0, 3) },
    { type: 'steps', runId, steps: records.slice(3) },
    { type: 'done', runId, status: 'completed', final: { loss: x + Math.sin(x), gradNorm: 0, params: [x] }, stepsPerSecond: 1000, wallMs: steps, evals: steps },
  ];
}

describe('dashboard loss axis (headless Chromium)', function () {
  const suite = useDashboardPage();
  let page: Page;
  beforeEach(() => {
    page = suite.page;
  });

  it('switches to a linear axis when a streamed loss goes below 0, and draws every point', async () => {
    await send(page, { type: 'snapshot', version: 0, runs: [], ghosts: [], banner: null });
    const events = xPlusSinX('lr1', 50);
    await send(page, { type: 'events', events: events.slice(0, 2) });
    await settle(page);
    assert.equal((await lossScale(page)).type, 'logarithmic', 'positive so far: log');
    await send(page, { type: 'events', events: events.slice(2) });
    await settle(page);
    const y = await lossScale(page);
    assert.equal(y.type, 'linear');
    assert.match(y.title, /below 0/);
    assert.ok(y.min < -3 && y.max > 3 && y.max < 10, `axis ${y.min}..${y.max} fits the curve (2.5 + sin 2.5 = 3.1 down to −π)`);
    assert.equal((await counts(page)).loss['lr1:loss'], 50);
    assert.match(await page.locator('.card-curvature .note').innerText(), /No curvature samples/);
  });

  it('keeps a log axis fitted to the data, capped 4 decades above the start only when a run blows up', async () => {
    const calm = runsFromEvents(allEvents({ runId: 'calm', optimizer: 'adam', lr: 0.02, steps: 300 }));
    await send(page, { type: 'snapshot', version: 0, runs: calm, ghosts: [], banner: null });
    await settle(page);
    let y = await lossScale(page);
    assert.equal(y.type, 'logarithmic');
    assert.ok(y.max <= 100, `the axis ends near the data (max ${y.max}), not 4 decades above`);
    const wild = runsFromEvents(allEvents({ runId: 'wild', optimizer: 'sgd', lr: 0.01, steps: 300 }));
    assert.ok(Math.max(...wild[0].steps.map((s) => s.loss)) > 1e8, 'the wild run blows up');
    await send(page, { type: 'snapshot', version: 0, runs: [...calm, ...wild], ghosts: [], banner: null });
    await settle(page);
    y = await lossScale(page);
    assert.equal(y.max, 1e6, 'capped at 4 decades above the first loss (24.2)');
  });
});
