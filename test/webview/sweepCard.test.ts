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
/** Where the card's screenshot goes (ignored by git). */
const SCREENSHOT = path.join(root, '.artifacts', 'sweep-card.png');

interface CardPoint { x: number; y: number; run: number }
interface SweepWindow {
  optimizerLabSweep: {
    rejected: string[];
    selected?: number;
    sensitivity?: {
      data: { datasets: { label: string; marks: boolean; data: CardPoint[] }[] };
      chartArea: { top: number; bottom: number };
      getDatasetMeta(i: number): { data: { x: number; y: number }[] };
    };
    heat?: { centre(cell: { row: number; column: number }): { x: number; y: number } };
    runChart?: { data: { datasets: { data: { x: number; y: number }[] }[] } };
  };
}

/** The card's datasets as plain data. */
const datasets = (page: Page) => page.evaluate(() => (window as unknown as SweepWindow).optimizerLabSweep.sensitivity?.data.datasets.map((d) => ({ label: d.label, marks: d.marks, data: d.data.map((p) => ({ ...p })) })) ?? []);

describe('Sweep card (a real `optlab sweep` file)', function () {
  let result: SweepResult;
  let file: string;
  before(async () => {
    // A grid where sgd's largest lr blows up on Rosenbrock: 4 lrs × 2 momenta, 50 steps.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-sweep-'));
    file = path.join(dir, 'sweep.json');
    await promisify(execFile)(process.execPath, [
      path.join(root, 'dist', 'cli.js'), 'sweep', path.join(root, 'examples', 'rosenbrock.ts'), '--optimizer', 'sgd',
      '--grid', 'lr=1e-4:1e-2:log:4', '--grid', 'momentum=0,0.9', '--steps', '50', '--workers', '1', '--json', file,
    ], { cwd: root });
    result = sweepResultSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
    assert.equal(result.runs.length, 8);
    assert.ok(result.runs.some((r) => r.status === 'diverged'), 'the grid reaches a diverging lr');
    assert.ok(result.runs.filter((r) => r.status !== 'diverged').every((r) => r.status === 'completed' && r.final.loss !== null), 'the other runs finish');
  });
  const suite = useDashboardPage({ failOnPageErrors: true });
  let page: Page;
  beforeEach(async () => {
    page = suite.page;
    await send(page, { type: 'snapshot', version: 0, runs: [], ghosts: [], banner: null });
    await send(page, { type: 'sweep', file: 'sweeps/sgd.json', result });
    await settle(page);
  });

  it('curves: one per momentum, each point the JSON\'s final loss at its lr; every diverged run marked above them', async () => {
    const shown = await datasets(page);
    const lines = shown.filter((d) => !d.marks);
    assert.deepEqual(lines.map((d) => d.label).sort(), ['momentum=0', 'momentum=0.9']);
    for (const momentum of ['0', '0.9']) {
      const runs = result.runs.filter((r) => r.point.momentum === momentum);
      const expected = runs.filter((r) => r.status !== 'diverged').map((r) => ({ x: r.lr, y: r.final.loss })).sort((a, b) => a.x - b.x);
      const line = lines.find((d) => d.label === `momentum=${momentum}`);
      assert.deepEqual(line?.data.map(({ x, y }) => ({ x, y })), expected, `momentum=${momentum}`);
      const marks = shown.find((d) => d.marks && d.label.startsWith(`momentum=${momentum} `));
      assert.deepEqual(marks?.data.map((p) => p.x).sort(), runs.filter((r) => r.status === 'diverged').map((r) => r.lr).sort(), 'marked, not dropped');
    }
    const marked = shown.filter((d) => d.marks).flatMap((d) => d.data);
    assert.equal(marked.length, result.runs.filter((r) => r.status === 'diverged').length, 'every diverged run is on the chart');
    const top = Math.max(...result.runs.flatMap((r) => (r.status === 'diverged' || r.final.loss === null ? [] : [r.final.loss])));
    for (const m of marked) assert.ok(m.y > top, 'marks sit above every finite loss');
    // Drawn, not only listed: Chart.js laid out an element for each, and the marks above every line point.
    const layout = await page.evaluate(() => {
      const c = (window as unknown as SweepWindow).optimizerLabSweep.sensitivity!;
      return c.data.datasets.map((d, i) => ({ marks: d.marks, ys: c.getDatasetMeta(i).data.map((e) => e.y) }));
    });
    const lowestMark = Math.max(...layout.filter((d) => d.marks).flatMap((d) => d.ys));
    const highestLine = Math.min(...layout.filter((d) => !d.marks).flatMap((d) => d.ys));
    assert.equal(layout.flatMap((d) => d.ys).length, result.runs.length);
    assert.ok(lowestMark < highestLine, 'marks drawn higher on the canvas than every line point');
  });

  it('clicking a point shows that run\'s settings and its thinned loss curve', async () => {
    // The lowest final loss: a point well apart from the others (the smallest lrs' points nearly touch).
    const finished = result.runs.filter((r) => r.status === 'completed');
    const target = result.runs.indexOf(finished.reduce((a, b) => ((b.final.loss as number) < (a.final.loss as number) ? b : a)));
    const where = await page.evaluate((run) => {
      const c = (window as unknown as SweepWindow).optimizerLabSweep.sensitivity!;
      const i = c.data.datasets.findIndex((d) => d.data.some((p) => p.run === run));
      const j = c.data.datasets[i].data.findIndex((p) => p.run === run);
      return c.getDatasetMeta(i).data[j];
    }, target);
    const box = await page.locator('section[data-chart="sweep"] .plot canvas').first().boundingBox();
    await page.mouse.click(box!.x + where.x, box!.y + where.y);
    await settle(page);
    assert.equal(await page.evaluate(() => (window as unknown as SweepWindow).optimizerLabSweep.selected), target);
    const run = result.runs[target];
    assert.equal(await page.locator('.sweep-settings dd[data-field="momentum"]').innerText(), String(run.hp.momentum));
    assert.match(await page.locator('.sweep-settings dd[data-field="status"]').innerText(), new RegExp(run.status));
    const curve = await page.evaluate(() => (window as unknown as SweepWindow).optimizerLabSweep.runChart?.data.datasets[0].data.map((p) => ({ ...p })));
    assert.deepEqual(curve, run.steps.filter((s) => s.loss !== null).map((s) => ({ x: s.step, y: s.loss })), 'the run\'s thinned losses');
  });

  it('heat map: lr × momentum; clicking a diverged cell shows that run as diverged', async () => {
    assert.equal(await page.locator('.sweep-heat').isVisible(), true);
    const diverged = result.runs.find((r) => r.status === 'diverged')!;
    const lrs = [...new Set(result.runs.map((r) => r.lr))].sort((a, b) => a - b);
    const cell = { row: ['0', '0.9'].indexOf(diverged.point.momentum), column: lrs.indexOf(diverged.lr) };
    const centre = await page.evaluate((c) => (window as unknown as SweepWindow).optimizerLabSweep.heat!.centre(c), cell);
    const box = await page.locator('.sweep-heat canvas').boundingBox();
    await page.mouse.click(box!.x + centre.x, box!.y + centre.y);
    await settle(page);
    assert.match(await page.locator('.sweep-settings dd[data-field="status"]').innerText(), /diverged/);
    assert.equal(await page.locator('.sweep-settings dd[data-field="lr"]').innerText(), String(Number(diverged.lr.toPrecision(4))));
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.locator('section[data-chart="sweep"]').screenshot({ path: SCREENSHOT });
  });

  it('a message that is not a sweep is refused whole; the shown sweep stays', async () => {
    await send(page, { type: 'sweep', file: 'bad.json', result: { ...result, runs: [{ lr: 'fast' }] } } as Record<string, unknown>);
    await settle(page);
    const state = await page.evaluate(() => (window as unknown as SweepWindow).optimizerLabSweep.rejected);
    assert.equal(state.length, 1);
    assert.match(state[0], /runs\.0/);
    assert.equal(await page.locator('section[data-chart="sweep"] .sweep-file').innerText(), 'sweeps/sgd.json');
  });
});
