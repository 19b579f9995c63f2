import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { sweepResultSchema, type SweepRun } from '../../src/protocol/sweep';
import { useDashboardPage } from './harness/dashboardSuite';
import { posted, send, settle } from './harness/pageDriver';

interface SweepWindow {
  optimizerLabSweep: { selected?: number; heat?: { centre(cell: { row: number; column: number }): { x: number; y: number } } };
}

const run = (trial: number, lr: number, momentum: string, loss: number): SweepRun => ({
  trial, point: { lr: String(lr), momentum }, lr, hp: { momentum: Number(momentum) }, seed: 0, status: 'completed',
  stepsDone: 40, final: { loss, gradNorm: 0.1 }, steps: [{ step: 0, loss: 4 }, { step: 40, loss }],
});

/** A 2 × 2 grid: lr (the heat map's columns) × momentum (its rows). */
const result = sweepResultSchema.parse({
  objective: 'rosenbrock', file: '/w/rosenbrock.ts', optimizer: { id: 'sgd' }, steps: 40, mode: 'grid',
  space: [{ name: 'lr', kind: 'list', values: ['0.001', '0.01'] }, { name: 'momentum', kind: 'list', values: ['0', '0.9'] }],
  workers: 1, wallMs: 5, best: null,
  runs: [run(0, 0.001, '0', 3), run(1, 0.001, '0.9', 1), run(2, 0.01, '0', 2), run(3, 0.01, '0.9', 0.5)],
});

describe('Sweep card: Open as run', function () {
  const suite = useDashboardPage({ failOnPageErrors: true });
  let page: Page;
  beforeEach(async () => {
    page = suite.page;
    await send(page, { type: 'snapshot', version: 0, runs: [], ghosts: [], banner: null });
    await send(page, { type: 'sweep', file: 'sweeps/sgd.json', result });
    await settle(page);
  });

  it('no button before a run is chosen', async () => {
    assert.equal(await page.locator('.sweep-open-run').count(), 0);
  });

  it('clicking a heat-map cell, then Open as run, posts that run of the sweep (and only that)', async () => {
    // Row 1 (momentum 0.9), column 0 (lr 0.001): run 1.
    const centre = await page.evaluate(() => (window as unknown as SweepWindow).optimizerLabSweep.heat!.centre({ row: 1, column: 0 }));
    const box = await page.locator('.sweep-heat canvas').boundingBox();
    await page.mouse.click(box!.x + centre.x, box!.y + centre.y);
    await settle(page);
    assert.equal(await page.evaluate(() => (window as unknown as SweepWindow).optimizerLabSweep.selected), 1);
    assert.deepEqual((await posted(page)).filter((m) => m.type === 'openSweepRun'), [], 'choosing a run does not start it');
    await page.locator('.sweep-detail').screenshot({ path: path.resolve(__dirname, '../../.artifacts/sweep-open-run.png') });
    await page.locator('.sweep-open-run').click();
    await settle(page);
    assert.deepEqual((await posted(page)).filter((m) => m.type === 'openSweepRun'), [{ type: 'openSweepRun', run: 1 }]);
  });
});
