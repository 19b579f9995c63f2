/** Brushing on the Sweep card's parallel coordinates, with the mouse, on a real `optlab sweep` grid. */
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

interface Scale { getPixelForValue(v: number): number }
interface BrushWindow {
  optimizerLabSweep: {
    brushed?: Set<number>;
    parallelModel?: { lines: { run: number; ys: number[] }[] };
    parallel?: { scales: { x: Scale; y: Scale }; data: { datasets: { run: number; borderColor: string }[] } };
    sensitivity?: { data: { datasets: { marks: boolean; data: { run: number }[]; pointBorderColor: string[] }[] } };
    brushedChart?: { data: { datasets: { label: string; data: { x: number; y: number }[] }[] } };
    heat?: { centre(cell: { row: number; column: number }): { x: number; y: number } };
  };
}

/** Page pixels of axis `axis` at positions `from` and `to` (0..1) of the parallel chart. */
const axisPixels = (page: Page, axis: number, from: number, to: number) => page.evaluate(([a, f, t]) => {
  const chart = (window as unknown as BrushWindow).optimizerLabSweep.parallel!;
  return { x: chart.scales.x.getPixelForValue(a), y0: chart.scales.y.getPixelForValue(f), y1: chart.scales.y.getPixelForValue(t) };
}, [axis, from, to] as const);

/** The parallel chart's canvas box, scrolled into the viewport (the mouse reaches only what is shown). */
async function canvasBox(page: Page) {
  const canvas = page.locator('.sweep-parallel canvas');
  await canvas.scrollIntoViewIfNeeded();
  return (await canvas.boundingBox())!;
}

async function drag(page: Page, axis: number, from: number, to: number): Promise<void> {
  const box = await canvasBox(page);
  const p = await axisPixels(page, axis, from, to);
  await page.mouse.move(box.x + p.x + 2, box.y + p.y0);
  await page.mouse.down();
  await page.mouse.move(box.x + p.x + 2, box.y + p.y1, { steps: 6 });
  await page.mouse.up();
  await settle(page);
}

/** The heat map's pixel at a cell's centre, as [r, g, b]. */
const heatPixel = (page: Page, cell: { row: number; column: number }) => page.evaluate((c) => {
  const at = (window as unknown as BrushWindow).optimizerLabSweep.heat!.centre(c);
  const canvas = document.querySelector<HTMLCanvasElement>('.sweep-heat canvas')!;
  const ratio = window.devicePixelRatio || 1;
  return [...canvas.getContext('2d')!.getImageData(Math.round(at.x * ratio), Math.round(at.y * ratio), 1, 1).data.slice(0, 3)];
}, cell);

const state = (page: Page) => page.evaluate(() => {
  const c = (window as unknown as BrushWindow).optimizerLabSweep;
  return {
    brushed: c.brushed ? [...c.brushed].sort((a, b) => a - b) : undefined,
    lines: c.parallelModel!.lines.map((l) => ({ run: l.run, ys: l.ys })),
    colours: c.parallel!.data.datasets.map((d) => ({ run: d.run, colour: d.borderColor })),
    points: c.sensitivity!.data.datasets.filter((d) => !d.marks).flatMap((d) => d.data.map((p, i) => ({ run: p.run, colour: d.pointBorderColor[i] }))),
    curves: c.brushedChart?.data.datasets.map((d) => ({ label: d.label, n: d.data.length })),
  };
});

describe('Sweep card: brushing the parallel coordinates (a real `optlab sweep` grid)', function () {
  let grid: SweepResult;
  before(async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-brush-')), 'sweep.json');
    await promisify(execFile)(process.execPath, [
      path.join(root, 'dist', 'cli.js'), 'sweep', path.join(root, 'examples', 'rosenbrock.ts'), '--optimizer', 'sgd',
      '--grid', 'lr=1e-4:1e-2:log:4', '--grid', 'momentum=0,0.5,0.9', '--steps', '50', '--workers', '1', '--json', file,
    ], { cwd: root });
    grid = sweepResultSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
  });
  const suite = useDashboardPage({ failOnPageErrors: true });
  let page: Page;
  beforeEach(async () => {
    page = suite.page;
    await send(page, { type: 'snapshot', version: 0, runs: [], ghosts: [], banner: null });
    await send(page, { type: 'sweep', file: 'sweeps/grid.json', result: grid });
    await settle(page);
  });

  it('a drag on the lr axis keeps the runs crossing it there; the other views dim the rest; the loss curves shown are the brushed runs\'', async () => {
    const before = await state(page);
    assert.equal(before.brushed, undefined, 'no brush yet');
    // Column 0 (the smallest lr) is outside the brush below, column 2 inside; neither cell diverged (no text at its centre).
    const cells = [{ row: 0, column: 0 }, { row: 0, column: 2 }];
    const heatBefore = await Promise.all(cells.map((c) => heatPixel(page, c)));
    // lr positions are 0, 1/3, 2/3, 1 (4 lrs on a log axis): a drag from 0.5 to the top keeps the two largest lrs.
    await drag(page, 0, 0.5, 1.04);
    const after = await state(page);
    const lrs = [...new Set(grid.runs.map((r) => r.lr))].sort((a, b) => a - b);
    const expected = grid.runs.flatMap((r, i) => (r.lr >= lrs[2] ? [i] : []));
    assert.deepEqual(after.brushed, expected);
    const colourOf = (run: number) => after.colours.find((c) => c.run === run)!.colour;
    const initial = (run: number) => before.colours.find((c) => c.run === run)!.colour;
    for (let run = 0; run < grid.runs.length; run++) {
      const inside = expected.includes(run);
      assert.equal(colourOf(run) === initial(run), inside, `parallel line of run ${run} ${inside ? 'kept' : 'faded'}`);
    }
    for (const p of after.points) {
      const was = before.points.find((q) => q.run === p.run)!.colour;
      assert.equal(p.colour === was, expected.includes(p.run), `sensitivity point of run ${p.run}`);
    }
    assert.deepEqual(after.curves?.map((c) => c.label).sort(), expected.map((r) => `run ${r}`).sort(), 'one loss curve per brushed run');
    assert.equal(await page.locator('.sweep-brushed').isVisible(), true);
    const heatAfter = await Promise.all(cells.map((c) => heatPixel(page, c)));
    assert.notDeepEqual(heatAfter[0], heatBefore[0], 'the heat-map cell outside the brush is veiled');
    assert.deepEqual(heatAfter[1], heatBefore[1], 'the cell inside keeps its colour');
    assert.match(await page.locator('.sweep-brush-status').innerText(), new RegExp(`^${expected.length} of ${grid.runs.length} runs in the brush on lr`));
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.locator('section[data-chart="sweep"]').screenshot({ path: path.join(SHOTS, 'sweep-brush.png') });
  });

  it('brushes on two axes both hold; a click on an axis clears its brush, the last one clears the selection', async () => {
    await drag(page, 0, 0.5, 1.04);
    // momentum positions 0, 0.5/0.9, 1: keep momentum 0 only.
    await drag(page, 1, -0.02, 0.2);
    const both = await state(page);
    const lrs = [...new Set(grid.runs.map((r) => r.lr))].sort((a, b) => a - b);
    assert.deepEqual(both.brushed, grid.runs.flatMap((r, i) => (r.lr >= lrs[2] && r.point.momentum === '0' ? [i] : [])));
    const box = await canvasBox(page);
    const p = await axisPixels(page, 1, 0.5, 0.5);
    await page.mouse.click(box.x + p.x, box.y + p.y0);
    await settle(page);
    assert.deepEqual((await state(page)).brushed, grid.runs.flatMap((r, i) => (r.lr >= lrs[2] ? [i] : [])), 'the lr brush alone');
    const q = await axisPixels(page, 0, 0.5, 0.5);
    await page.mouse.click(box.x + q.x, box.y + q.y0);
    await settle(page);
    const cleared = await state(page);
    assert.equal(cleared.brushed, undefined);
    assert.equal(cleared.curves, undefined);
    assert.equal(await page.locator('.sweep-brushed').isVisible(), false);
  });
});
