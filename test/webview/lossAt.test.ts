/** Where a run's losses are: the final-loss cell says 'at x' for optimizers with an evaluation point (schedule-free). */
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { runsFromEvents } from '../../src/protocol/runHistory';
import type { DashboardEvent } from '../../src/protocol/webview';
import { lossAtTitle } from '../../webview/runTable';
import { useDashboardPage } from './harness/dashboardSuite';
import { allEvents } from './harness/eventStream';
import { send, settle } from './harness/pageDriver';

const LOSS_AT = 'evaluation point x (gradients taken at y)';

/** A run's events with RunMeta.lossAt set on 'started', as the runner sends it for schedule-free rules. */
function atX(runId: string): DashboardEvent[] {
  return allEvents({ runId, optimizer: 'adam', lr: 0.02, steps: 20 }).map((e) =>
    e.type === 'started' ? { ...e, meta: { ...e.meta, optimizer: { ...e.meta.optimizer, id: 'schedule-free-adamw' }, lossAt: LOSS_AT } } : e,
  );
}

describe('dashboard: losses at the evaluation point', function () {
  it('the final-loss tooltip names the evaluation point, and only for runs that have one', () => {
    const [free] = runsFromEvents(atX('free'));
    const [plain] = runsFromEvents(allEvents({ runId: 'plain', optimizer: 'adam', lr: 0.02, steps: 20 }));
    assert.equal(lossAtTitle(free), `losses and final parameters at the ${LOSS_AT}`);
    assert.equal(lossAtTitle(plain), undefined);
  });

  describe('in headless Chromium', () => {
    const suite = useDashboardPage({ failOnPageErrors: true });
    let page: Page;
    beforeEach(() => {
      page = suite.page;
    });

    it("marks the schedule-free run's final loss 'at x' with the tooltip, and not the other run's", async () => {
      const runs = [...runsFromEvents(atX('free')), ...runsFromEvents(allEvents({ runId: 'plain', optimizer: 'adam', lr: 0.02, steps: 20 }))];
      await send(page, { type: 'snapshot', version: 0, runs, ghosts: [], banner: null });
      await settle(page);
      const marked = page.locator('table.runs td.loss-at');
      assert.equal(await marked.count(), 1);
      assert.equal(await marked.getAttribute('title'), `losses and final parameters at the ${LOSS_AT}`);
      assert.match(await marked.innerText(), /at x$/);
      assert.equal(await page.locator('tr[data-run="free"] td.loss-at').count(), 1);
      assert.equal(await page.locator('tr[data-run="plain"] td.loss-at').count(), 0);
    });
  });
});
