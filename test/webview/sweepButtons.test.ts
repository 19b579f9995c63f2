/**
 * "Compare (tuned)" and "Sweep lr…" beside Compare: clicking them posts the asks the host's sweep commands take
 * (src/host/sweepCommands.ts): the built-in optimizers the dashboard shows and its steps, or the menu's optimizer.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { webviewToHostSchema } from '../../src/protocol/webview';
import { useDashboardPage } from './harness/dashboardSuite';
import { posted, send, settle } from './harness/pageDriver';
import { scenarioSnapshot } from './harness/scenario';

const SCREENSHOT = path.resolve(__dirname, '../../.artifacts/sweep-buttons.png');

describe('Compare (tuned) and Sweep lr… beside Compare', () => {
  const suite = useDashboardPage({ failOnPageErrors: true });
  let page: Page;
  beforeEach(async () => {
    page = suite.page;
    await send(page, scenarioSnapshot());
    await settle(page);
  });

  it('sit after Find lr; Compare (tuned) asks to tune the runs\' optimizers and the menu\'s, each once, with the steps control\'s steps', async () => {
    const buttons = await page.locator('.controls[aria-label="run controls"] .buttons button').evaluateAll((list) => list.map((b) => b.id));
    assert.deepEqual(buttons, ['ctl-run', 'ctl-compare', 'ctl-find-lr', 'ctl-tuned-compare', 'ctl-sweep', 'ctl-stop']);
    await page.locator('#ctl-steps').fill('300');
    await page.locator('#ctl-steps').dispatchEvent('change');
    await page.locator('#ctl-tuned-compare').hover();
    assert.match(await page.locator('#ctl-tuned-compare').getAttribute('title') ?? '', /Tune the lr of adam, sgd with the same budget each \(the same grid, 300 steps a run\)/);
    await page.locator('#ctl-tuned-compare').click();
    const asks = (await posted(page)).filter((m) => m.type === 'tunedCompare');
    assert.deepEqual(asks, [{ type: 'tunedCompare', optimizers: ['adam', 'sgd'], steps: 300 }]);
    assert.ok(webviewToHostSchema.safeParse(asks[0]).success, 'the host accepts it');
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.locator('.controls[aria-label="run controls"]').screenshot({ path: SCREENSHOT });
  });

  it('Sweep lr… asks to sweep the menu\'s optimizer with the steps control\'s steps', async () => {
    await page.locator('#ctl-optimizer').selectOption('sgd');
    await page.locator('#ctl-steps').fill('120');
    await page.locator('#ctl-steps').dispatchEvent('change');
    await page.locator('#ctl-sweep').click();
    const asks = (await posted(page)).filter((m) => m.type === 'runSweep');
    assert.deepEqual(asks, [{ type: 'runSweep', optimizer: { id: 'sgd' }, steps: 120 }]);
    assert.ok(webviewToHostSchema.safeParse(asks[0]).success);
  });
});
