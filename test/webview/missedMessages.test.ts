/**
 * A message the page never saw (lost while the webview was loading, or rejected) is caught up from the host:
 * records of a run whose `started` did not arrive, or a rejected message, make the page say `ready` again, once,
 * and the host's answer (its full state) gives the run its optimizer and schedule back.
 */
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { DashboardEvent } from '../../src/protocol/webview';
import { runsFromEvents } from '../../src/protocol/runHistory';
import { useDashboardPage } from './harness/dashboardSuite';
import { allEvents } from './harness/eventStream';
import { type PageWindow, posted, send, settle } from './harness/pageDriver';

const readies = async (page: Page): Promise<number> => (await posted(page)).filter((m) => m.type === 'ready').length;
const optimizerShown = (page: Page, runId: string): Promise<string | undefined> =>
  page.evaluate((id) => ((window as unknown as PageWindow).optimizerLab.model.runs.get(id) as { meta?: { optimizer: { id: string } } } | undefined)?.meta?.optimizer.id, runId);
const empty = { type: 'snapshot', version: 0, runs: [], ghosts: [], banner: null } as const;

describe('dashboard: messages it missed are asked for again (headless Chromium)', function () {
  const suite = useDashboardPage({ failOnPageErrors: true });
  let page: Page;
  let events: DashboardEvent[];
  beforeEach(() => {
    page = suite.page;
    events = allEvents({ runId: 'adam-run', optimizer: 'adam', lr: 0.02, steps: 200, batch: 50 });
  });

  it('records of a run whose start it never saw: one more ready, and the snapshot it gets names the optimizer', async () => {
    await send(page, empty);
    assert.equal(events[0].type, 'started');
    const afterStart = events.slice(1);
    await send(page, { type: 'events', events: afterStart.slice(0, 2) });
    await send(page, { type: 'events', events: afterStart.slice(2) });
    await settle(page);
    assert.equal(await readies(page), 2, 'the first ready, and one more for the missed start (not one per batch)');
    assert.equal(await optimizerShown(page, 'adam-run'), undefined);
    // The host answers a ready with its state, where the run has its meta.
    await send(page, { ...empty, runs: runsFromEvents(events) });
    await settle(page);
    assert.equal(await optimizerShown(page, 'adam-run'), 'adam');
    assert.equal(await readies(page), 2, 'nothing more is asked once the run is whole');
  });

  it('a run that started as it should asks for nothing', async () => {
    await send(page, empty);
    for (let i = 0; i < events.length; i += 3) await send(page, { type: 'events', events: events.slice(i, i + 3) });
    await settle(page);
    assert.equal(await readies(page), 1);
    assert.equal(await optimizerShown(page, 'adam-run'), 'adam');
  });

  it('a rejected message asks once until a snapshot comes, then again after the next one', async () => {
    await send(page, empty);
    const broken = { type: 'events', events: [{ type: 'steps', runId: 'adam-run', steps: [{ step: 'one' }] }] };
    await send(page, broken);
    await send(page, broken);
    await settle(page);
    assert.equal(await readies(page), 2, 'two rejected messages, one request');
    const rejected = await page.evaluate(() => (window as unknown as PageWindow).optimizerLab.stats.rejected.length);
    assert.equal(rejected, 2, 'both were rejected (and logged)');
    await send(page, empty);
    await send(page, broken);
    await settle(page);
    assert.equal(await readies(page), 3, 'after the snapshot, a new rejection asks again');
  });
});
