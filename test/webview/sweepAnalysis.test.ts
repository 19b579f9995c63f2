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
const SHOTS = path.join(root, '.artifacts');

interface CardWindow {
  optimizerLabSweep: {
    parallelModel?: { axes: { name: string; ticks: { y: number; label: string }[] }[]; lines: { run: number; ys: number[]; diverged: boolean; colour?: string }[] };
    parallel?: { data: { datasets: { run: number; diverged: boolean; borderDash: number[]; borderColor: string; data: { x: number; y: number }[] }[] }; getDatasetMeta(i: number): { data: unknown[] } };
    importance?: { bars: { name: string; share: number; groups: number }[]; pairs: { name: string; share: number }[]; rest: number; diverged: number };
    importanceChart?: { data: { labels: string[]; datasets: { data: number[] }[] }; getDatasetMeta(i: number): { data: unknown[] } };
  };
}

const drawn = (page: Page) => page.evaluate(() => {
  const c = (window as unknown as CardWindow).optimizerLabSweep;
  return {
    model: c.parallelModel!,
    lines: c.parallel!.data.datasets.map((d, i) => ({ run: d.run, diverged: d.diverged, dashed: d.borderDash.length > 0, colour: d.borderColor, ys: d.data.map((p) => p.y), laidOut: c.parallel!.getDatasetMeta(i).data.length })),
    importance: c.importance!,
    bars: { labels: c.importanceChart!.data.labels, values: c.importanceChart!.data.datasets[0].data, laidOut: c.importanceChart!.getDatasetMeta(0).data.length },
  };
});

async function sweepOf(args: string[]): Promise<SweepResult> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-sweep-')), 'sweep.json');
  await promisify(execFile)(process.execPath, [path.join(root, 'dist', 'cli.js'), 'sweep', path.join(root, 'examples', 'rosenbrock.ts'), ...args, '--workers', '1', '--json', file], { cwd: root });
  return sweepResultSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
}

/** η² of log10 final loss by the hyperparameter's distinct values, diverged runs a decade above the worst finished one (the caption's definition). */
function etaSquared(result: SweepResult, valueOf: (i: number) => string): number {
  const finite = result.runs.map((r) => (r.status === 'diverged' || r.final.loss === null ? null : Math.log10(r.final.loss)));
  const worst = Math.max(...finite.filter((y): y is number => y !== null));
  const ys = finite.map((y) => y ?? worst + 1);
  const mean = ys.reduce((a, b) => a + b, 0) / ys.length;
  const groups = new Map<string, number[]>();
  ys.forEach((y, i) => groups.set(valueOf(i), [...(groups.get(valueOf(i)) ?? []), y]));
  const between = [...groups.values()].reduce((a, g) => a + g.length * (g.reduce((s, y) => s + y, 0) / g.length - mean) ** 2, 0);
  return between / ys.reduce((a, y) => a + (y - mean) ** 2, 0);
}

describe('Sweep card: parallel coordinates and parameter importance (real `optlab sweep` files)', function () {
  let grid: SweepResult;
  let search: SweepResult;
  before(async () => {
    grid = await sweepOf(['--optimizer', 'sgd', '--grid', 'lr=1e-4:1e-2:log:4', '--grid', 'momentum=0,0.5,0.9', '--steps', '50']);
    search = await sweepOf(['--optimizer', 'sgd', '--search', 'random', '--trials', '40', '--seed', '3', '--grid', 'lr=1e-5:1e-2:log', '--grid', 'momentum=0:0.95:lin', '--steps', '50']);
    assert.ok(grid.runs.some((r) => r.status === 'diverged'), 'the grid reaches a diverging lr');
  });
  const suite = useDashboardPage({ failOnPageErrors: true });
  let page: Page;
  beforeEach(async () => {
    page = suite.page;
    await send(page, { type: 'snapshot', version: 0, runs: [], ghosts: [], banner: null });
  });

  it('grid: a line per run through lr, momentum and final loss; diverged runs dashed at the top; importance as computed by hand', async () => {
    await send(page, { type: 'sweep', file: 'sweeps/grid.json', result: grid });
    await settle(page);
    const d = await drawn(page);
    assert.deepEqual(d.model.axes.map((a) => a.name), ['lr', 'momentum', 'final loss']);
    assert.equal(d.lines.length, grid.runs.length);
    assert.ok(d.lines.every((l) => l.laidOut === 3), 'Chart.js laid out three points per line');
    const lrs = grid.runs.map((r) => r.lr);
    const [lo, hi] = [Math.min(...lrs), Math.max(...lrs)];
    for (const line of d.lines) {
      const r = grid.runs[line.run];
      assert.ok(Math.abs(line.ys[0] - Math.log10(r.lr / lo) / Math.log10(hi / lo)) < 1e-9, 'lr on a log axis');
      assert.ok(Math.abs(line.ys[1] - Number(r.point.momentum) / 0.9) < 1e-9, 'momentum on a linear axis');
      const diverged = r.status === 'diverged';
      assert.equal(line.diverged, diverged);
      assert.equal(line.dashed, diverged, 'diverged runs drawn distinct');
      if (diverged) assert.ok(line.ys[2] > 1, 'above the loss axis');
      else assert.ok(line.ys[2] >= -1e-9 && line.ys[2] <= 1 + 1e-9);
    }
    const best = d.lines[d.lines.length - 1];
    assert.equal(best.colour, 'rgb(68, 1, 84)', 'the lowest final loss is drawn last, in viridis\'s dark end');
    for (const name of ['lr', 'momentum']) {
      const bar = d.importance.bars.find((b) => b.name === name)!;
      assert.ok(Math.abs(bar.share - etaSquared(grid, (i) => (name === 'lr' ? String(grid.runs[i].lr) : grid.runs[i].point.momentum))) < 1e-9, name);
    }
    // Main effects, then the pair's interaction bar.
    assert.deepEqual(d.bars.labels, [...d.importance.bars.map((b) => b.name), 'lr × momentum']);
    assert.deepEqual(d.bars.values, [...d.importance.bars.map((b) => b.share), d.importance.pairs[0].share]);
    assert.equal(d.bars.laidOut, 3);
    // One seed per cell: the interaction is all the main effects leave.
    assert.ok(Math.abs(d.importance.pairs[0].share - (1 - d.importance.bars[0].share - d.importance.bars[1].share)) < 1e-9);
    assert.match(await page.locator('.sweep-importance .caption').innerText(), /What we compute: the share of the variance of log10 of the final loss .* η²/);
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.locator('section[data-chart="sweep"]').screenshot({ path: path.join(SHOTS, 'sweep-analysis-grid.png') });
  });

  it('random search: each hyperparameter\'s trials binned into equal-count groups, shares as computed by hand', async () => {
    await send(page, { type: 'sweep', file: 'sweeps/search.json', result: search });
    await settle(page);
    const d = await drawn(page);
    assert.equal(d.lines.length, search.runs.length);
    assert.ok(d.importance.bars.every((b) => b.groups <= 10 && b.share >= 0 && b.share <= 1));
    // Recomputed here: equal-count bins (⌊√40⌋ = 6 of them) of each hyperparameter's values, in value order.
    const bins = Math.min(10, Math.floor(Math.sqrt(search.runs.length)));
    for (const name of ['lr', 'momentum']) {
      const value = (i: number) => (name === 'lr' ? search.runs[i].lr : Number(search.runs[i].point.momentum));
      const order = search.runs.map((_, i) => i).sort((a, b) => value(a) - value(b));
      const binOf = new Map(order.map((i, rank) => [i, String(Math.floor((rank * bins) / order.length))]));
      const bar = d.importance.bars.find((b) => b.name === name)!;
      assert.equal(bar.groups, bins);
      assert.ok(Math.abs(bar.share - etaSquared(search, (i) => binOf.get(i) as string)) < 1e-9, name);
    }
    assert.match(await page.locator('.sweep-importance .caption').innerText(), /equal-count bins/);
    await page.locator('section[data-chart="sweep"]').screenshot({ path: path.join(SHOTS, 'sweep-analysis-search.png') });
  });
});
