/** The Sweep card's parallel coordinates and parameter importance, in Node, on hand-written sweeps. */
import * as assert from 'node:assert/strict';
import type { SweepResult, SweepRun } from '../../src/protocol/sweep';
import { groupsOf, parameterImportance, varianceExplained } from '../../webview/sweep/importance';
import { pairBins } from '../../webview/sweep/interactions';
import { DIVERGED_Y, parallelModel } from '../../webview/sweep/parallelModel';
import { sweepAxes } from '../../webview/sweep/sweepAxes';

function run(trial: number, lr: number, momentum: string, loss: number | null, status: SweepRun['status'] = loss === null ? 'diverged' : 'completed', seed = 0): SweepRun {
  return { trial, point: { lr: String(lr), momentum }, lr, hp: { momentum: Number(momentum) }, seed, status, stepsDone: 5, final: { loss, gradNorm: 1 }, steps: [] };
}

function sweep(runs: SweepRun[], mode: SweepResult['mode'] = 'grid'): SweepResult {
  return {
    objective: 'o', optimizer: { id: 'sgd' }, steps: 5, mode, workers: 1, wallMs: 1, best: null, runs,
    space: [{ name: 'lr', kind: 'range', from: 1e-3, to: 1e-1, scale: 'log', count: 3 }, { name: 'momentum', kind: 'list', values: ['0', '0.9'] }],
  };
}

describe('Sweep card analysis: importance and parallel coordinates', () => {
  it('a loss that depends on lr alone: lr explains all of the variance of log10 loss, momentum none', () => {
    const lrs = [1e-3, 1e-2, 1e-1];
    // log10 loss = −log10 lr: 3, 2, 1 whatever the momentum.
    const runs = lrs.flatMap((lr, i) => ['0', '0.9'].map((m, j) => run(2 * i + j, lr, m, 1 / lr)));
    const imp = parameterImportance(sweep(runs));
    assert.deepEqual(imp.bars.map((b) => b.name), ['lr', 'momentum']);
    assert.ok(Math.abs(imp.bars[0].share - 1) < 1e-12);
    assert.equal(imp.bars[1].share, 0);
    assert.deepEqual(imp.bars.map((b) => b.groups), [3, 2]);
    assert.ok(imp.rest < 1e-12);
  });

  it('η² by hand: two groups of log losses (1, 3) and (2, 6) on a 2x2 grid with an interaction', () => {
    // log10 losses: lr 0.001 -> m0: 1, m0.9: 3; lr 0.01 -> m0: 2, m0.9: 6. Mean 3, total SS 4+0+1+9 = 14.
    const runs = [run(0, 1e-3, '0', 10), run(1, 1e-3, '0.9', 1e3), run(2, 1e-2, '0', 1e2), run(3, 1e-2, '0.9', 1e6)];
    const imp = parameterImportance(sweep(runs));
    const share = (name: string) => imp.bars.find((b) => b.name === name)!.share;
    // lr groups: means 2 and 4 -> between 2·1 + 2·1 = 4; momentum groups: means 1.5 and 4.5 -> 2·2.25·2 = 9.
    assert.ok(Math.abs(share('lr') - 4 / 14) < 1e-12);
    assert.ok(Math.abs(share('momentum') - 9 / 14) < 1e-12);
    // Cells 1, 3, 2, 6: SS_cells 14 = total; the interaction is what the main effects leave: 14 − 4 − 9 = 1.
    assert.equal(imp.pairs.length, 1);
    assert.equal(imp.pairs[0].name, 'lr × momentum');
    assert.ok(Math.abs(imp.pairs[0].share - 1 / 14) < 1e-12, 'the interaction is what is left');
    assert.ok(imp.rest < 1e-12);
  });

  it('interaction importance on a 3x3 grid with a known interaction: y = a + 0.5 b + 0.25 a·b over 2 seeds', () => {
    // a, b ∈ {−1, 0, 1} (lr 1e-3, 1e-2, 1e-1; momentum 0, 0.45, 0.9); the contrasts a, b and a·b are orthogonal on the
    // full grid: SS_A = 6·(1)·2 = 12, SS_B = 6·0.25·2 = 3, SS_AB = 2·0.0625·4 = 0.5; seeds add ±0.1 noise: SS 18·0.01 = 0.18.
    const levels = [-1, 0, 1];
    const runs: SweepRun[] = [];
    levels.forEach((a, i) => levels.forEach((b, j) => [0, 1].forEach((seed) => {
      const y = a + 0.5 * b + 0.25 * a * b + (seed === 0 ? 0.1 : -0.1);
      runs.push(run(3 * i + j, 10 ** (a - 2), String(0.45 * (b + 1)), 10 ** y, 'completed', seed));
    })));
    const imp = parameterImportance(sweep(runs));
    const total = 12 + 3 + 0.5 + 0.18;
    const share = (name: string) => imp.bars.find((b) => b.name === name)!.share;
    assert.ok(Math.abs(share('lr') - 12 / total) < 1e-12);
    assert.ok(Math.abs(share('momentum') - 3 / total) < 1e-12);
    assert.equal(imp.pairs[0].cells, 9);
    assert.ok(Math.abs(imp.pairs[0].share - 0.5 / total) < 1e-12, `interaction ${imp.pairs[0].share}`);
    assert.ok(Math.abs(imp.rest - 0.18 / total) < 1e-12, 'the seeds are what is left');
  });

  it('a pure interaction (y = a·b): no main effect, the pair explains everything; three axes give three pairs', () => {
    const runs: SweepRun[] = [];
    [-1, 1].forEach((a, i) => [-1, 1].forEach((b, j) => [-1, 1].forEach((c, k) => {
      const r = run(4 * i + 2 * j + k, 10 ** (a - 2), String(b > 0 ? 0.9 : 0), 10 ** (a * b));
      runs.push({ ...r, point: { ...r.point, wd: String(c > 0 ? 0.1 : 0) } });
    })));
    const result = sweep(runs);
    const imp = parameterImportance({ ...result, space: [...result.space, { name: 'wd', kind: 'list', values: ['0', '0.1'] }] });
    assert.ok(imp.bars.every((b) => Math.abs(b.share) < 1e-12));
    assert.deepEqual(imp.pairs.map((p) => p.name), ['lr × momentum', 'lr × wd', 'momentum × wd']);
    assert.ok(Math.abs(imp.pairs[0].share - 1) < 1e-12);
    assert.ok(imp.pairs.slice(1).every((p) => Math.abs(p.share) < 1e-12));
    assert.ok(imp.rest < 1e-12);
  });

  it('a search\'s pairs: bins per axis so a cell holds about 4 runs (2 to 5 bins)', () => {
    assert.deepEqual([8, 16, 40, 64, 100, 1000].map(pairBins), [2, 2, 3, 4, 5, 5]);
    const runs = Array.from({ length: 40 }, (_, i) => run(i, 10 ** (-3 + ((i * 7) % 40) / 20), String(((i * 13) % 40) / 40), 1 + i));
    const imp = parameterImportance(sweep(runs, 'random'));
    assert.equal(imp.pairs[0].cells, 9, '3 x 3 bins for 40 runs');
  });

  it('a diverged run counts one decade above the worst finished run, so the lr that diverges matters', () => {
    const runs = [run(0, 1e-3, '0', 100), run(1, 1e-3, '0.9', 100), run(2, 1e-1, '0', null), run(3, 1e-1, '0.9', 100)];
    const imp = parameterImportance(sweep(runs));
    assert.equal(imp.diverged, 1);
    // ys: 2, 2, 3, 2 -> mean 2.25, total 0.75; lr groups (2, 2) and (3, 2): 2·0.0625·2 = 0.25; momentum the same.
    assert.ok(Math.abs(imp.bars[0].share - 1 / 3) < 1e-12);
    assert.equal(varianceExplained([1, 1, 1], [0, 1, 2]), 0, 'no variance, nothing to explain');
  });

  it('a search bins its values in equal-count groups (at most 10)', () => {
    const values = Array.from({ length: 100 }, (_, i) => (i * 37) % 100);
    const groups = groupsOf(values);
    assert.equal(new Set(groups).size, 10);
    for (let g = 0; g < 10; g++) assert.equal(groups.filter((x) => x === g).length, 10);
    // Bins follow the values' order.
    values.forEach((v, i) => assert.equal(groups[i], Math.floor(v / 10)));
  });

  it('parallel coordinates: one line per run through its positions; colour by final loss; diverged runs apart', () => {
    const runs = [run(0, 1e-3, '0', 1), run(1, 1e-2, '0.9', 100), run(2, 1e-1, '0', null), run(3, 1e-1, '0.9', 10)];
    const model = parallelModel(sweep(runs));
    assert.deepEqual(model.axes.map((a) => a.name), ['lr', 'momentum', 'final loss']);
    assert.equal(model.lines.length, 4);
    const line = (r: number) => model.lines.find((l) => l.run === r)!;
    // lr on log10 from 1e-3 to 1e-1; momentum linear 0..0.9; loss log10 from 1 to 100.
    assert.deepEqual(line(1).ys.map((y) => Number(y.toFixed(12))), [0.5, 1, 1]);
    assert.deepEqual(line(3).ys.map((y) => Number(y.toFixed(12))), [1, 1, 0.5]);
    assert.equal(line(0).colour, 'rgb(68, 1, 84)', 'the lowest loss: viridis\'s dark end');
    assert.equal(line(1).colour, 'rgb(253, 231, 37)', 'the highest: its yellow end');
    assert.equal(line(2).diverged, true);
    assert.equal(line(2).ys[2], DIVERGED_Y);
    assert.equal(line(2).colour, undefined);
    assert.equal(model.lines[0].run, 2, 'diverged drawn first, under the rest');
    assert.equal(model.lines[model.lines.length - 1].run, 0, 'the best run drawn last, on top');
    const lrTicks = model.axes[0].ticks;
    assert.ok(lrTicks.length >= 2 && lrTicks.every((t) => t.y >= -1e-9 && t.y <= 1 + 1e-9));
  });

  it('values that are not numbers (betas tuples) get evenly spaced positions', () => {
    const runs = [run(0, 1e-3, '0.9,0.999', 1), run(1, 1e-3, '0.8,0.99', 2), run(2, 1e-3, '0.9,0.999', 3)];
    const axis = sweepAxes(sweep(runs))[1];
    assert.equal(axis.scale, 'category');
    assert.deepEqual(axis.categories, ['0.9,0.999', '0.8,0.99']);
    assert.deepEqual(axis.values, [0, 1, 0]);
  });
});
