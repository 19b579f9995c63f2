/** The Sweep card on a real `optlab sweep --compare` file: a curve per optimizer, the lr × optimizer heat map, the tuned table. */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { sweepResultSchema, type SweepResult } from '../../src/protocol/sweep';
import { useDashboardPage } from './harness/dashboardSuite';
import { send, settle } from './harness/pageDriver';

const root = path.resolve(__dirname, '../..');
const SCREENSHOT = path.join(root, '.artifacts', 'sweep-tuned-comparison.png');

interface CardWindow {
  optimizerLabSweep: {
    sensitivity?: { data: { datasets: { label: string; marks: boolean; data: { x: number; y: number; run: number }[] }[] } };
    heat?: unknown;
  };
}

describe('Sweep card: a tuned comparison (a real `optlab sweep --compare` file)', function () {
  let result: SweepResult;
  before(async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-compare-')), 'compare.json');
    await promisify(execFile)(process.execPath, [
      path.join(root, 'dist', 'cli.js'), 'sweep', path.join(root, 'examples', 'logisticRegression.ts'), '--compare', 'sgd,adam',
      '--grid', 'lr=1e-3:1:log:4', '--steps', '40', '--seeds', '2', '--workers', '2', '--json', file,
    ], { cwd: root });
    result = sweepResultSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
  });
  const suite = useDashboardPage({ failOnPageErrors: true });
  let page: Page;
  beforeEach(async () => {
    page = suite.page;
    await send(page, { type: 'snapshot', version: 0, runs: [], ghosts: [], banner: null });
    await send(page, { type: 'sweep', file: 'sweeps/compare.json', result });
    await settle(page);
  });

  it('one sensitivity curve per optimizer (its tuning), a heat map of lr × optimizer, and the tuned lr and held-out losses per optimizer', async () => {
    const lines = await page.evaluate(() => (window as unknown as CardWindow).optimizerLabSweep.sensitivity!.data.datasets.filter((d) => !d.marks).map((d) => ({ label: d.label, runs: d.data.map((p) => p.run) })));
    assert.deepEqual(lines.map((l) => l.label).sort(), ['optimizer=adam', 'optimizer=sgd']);
    for (const line of lines) assert.ok(line.runs.every((r) => `optimizer=${result.runs[r].point.optimizer}` === line.label));
    assert.equal(await page.locator('.sweep-heat').isVisible(), true, 'lr × optimizer');
    const comparison = result.comparison!;
    const caption = await page.locator('.sweep-comparison .caption').innerText();
    assert.match(caption, new RegExp(`same budget, ${comparison.budget.configurations} configurations of lr × ${comparison.budget.steps} steps`));
    assert.match(caption, /2 held-out seeds \(1, 2\)/);
    const rows = await page.locator('.sweep-comparison tbody tr').evaluateAll((trs) => trs.map((tr) => ({
      id: tr.getAttribute('data-optimizer'), tuned: tr.querySelector('[data-field="tuned"]')?.textContent, mean: tr.querySelector('[data-field="mean"]')?.textContent,
    })));
    const ranked = [...comparison.optimizers].sort((a, b) => (a.mean ?? Infinity) - (b.mean ?? Infinity));
    assert.deepEqual(rows.map((r) => r.id), ranked.map((o) => o.id), 'best mean first');
    for (const row of rows) {
      const o = comparison.optimizers.find((x) => x.id === row.id)!;
      const lr = Number(row.tuned?.replace(/^lr=/, '').replace(/ ⚠ grid edge$/, ''));
      const lrs = result.runs.filter((r) => r.point.optimizer === row.id).map((r) => r.lr);
      assert.equal(/grid edge/.test(row.tuned ?? ''), o.tuned!.lr === Math.max(...lrs) || o.tuned!.lr === Math.min(...lrs), 'an lr at the grid\'s end is flagged');
      assert.ok(Math.abs(lr - o.tuned!.lr) <= 1e-3 * o.tuned!.lr, `${row.id}: tuned lr ${row.tuned} vs ${o.tuned!.lr}`);
      assert.ok(Math.abs(Number(row.mean) - (o.mean as number)) <= 1e-3 * Math.abs(o.mean as number), `${row.id}: mean ${row.mean} vs ${o.mean}`);
    }
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.locator('section[data-chart="sweep"]').screenshot({ path: SCREENSHOT });
  });
});
