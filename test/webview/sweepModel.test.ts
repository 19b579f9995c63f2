/** The Sweep card's pure parts, in Node: curves, marks and heat-map cells from hand-written sweep files. */
import * as assert from 'node:assert/strict';
import type { SweepResult, SweepRun } from '../../src/protocol/sweep';
import { heatMap, markHeight, sensitivityCurves } from '../../webview/sweep/sweepModel';

function run(trial: number, lr: number, beta: string, status: SweepRun['status'], loss: number | null, seed = 0): SweepRun {
  return { trial, point: { lr: String(lr), beta }, lr, hp: { beta: Number(beta) }, seed, status, stepsDone: 5, final: { loss, gradNorm: 1 }, steps: [] };
}

function sweep(mode: SweepResult['mode'], runs: SweepRun[]): SweepResult {
  return {
    objective: 'o', optimizer: { id: 'sgd' }, steps: 5, mode, workers: 1, wallMs: 1, best: null, runs,
    space: [{ name: 'lr', kind: 'list', values: [] }, { name: 'beta', kind: 'list', values: [] }],
  };
}

describe('Sweep card model', () => {
  const runs = [
    run(0, 0.1, '0.9', 'completed', 2), run(1, 0.01, '0.9', 'completed', 3), run(2, 1, '0.9', 'diverged', 1e30),
    run(3, 0.1, '0.5', 'completed', 4), run(3, 0.1, '0.5', 'completed', 6, 1), run(4, 1, '0.5', 'completed', 5),
  ];

  it('grid: a curve per other value, by ascending lr; a diverged run (even with a finite last loss) is a mark', () => {
    const curves = sensitivityCurves(sweep('grid', runs));
    const byLabel = Object.fromEntries(curves.map((c) => [c.label, c.points.map((p) => [p.lr, p.loss])]));
    assert.deepEqual(byLabel, { 'beta=0.9': [[0.01, 3], [0.1, 2], [1, null]], 'beta=0.5': [[0.1, 4], [0.1, 6], [1, 5]] });
    assert.ok(curves.every((c) => c.connect));
    // Above every plotted loss (6), not at the diverged run's 1e30; the second curve's marks higher still.
    assert.equal(markHeight(sweep('grid', runs), true, 0), 60);
    assert.equal(markHeight(sweep('grid', runs), true, 1), 180);
  });

  it('grid heat map: cells averaged over seeds, a diverged cell marked with no loss', () => {
    const map = heatMap(sweep('grid', runs))!;
    assert.deepEqual(map.lrs, [0.01, 0.1, 1]);
    assert.deepEqual(map.values, ['0.5', '0.9'], 'numeric values ascending');
    const cell = (value: string, lr: number) => map.cells.find((c) => c.row === map.values.indexOf(value) && c.column === map.lrs.indexOf(lr));
    assert.deepEqual(cell('0.5', 0.1), { row: 0, column: 1, loss: 5, marked: false, run: 3, runs: [3, 4] });
    assert.deepEqual(cell('0.9', 1), { row: 1, column: 2, loss: null, marked: true, run: 2, runs: [2] });
    assert.equal(cell('0.5', 0.01), undefined, 'no run there, no cell');
  });

  it('a search: one unconnected set of trials, no heat map', () => {
    const curves = sensitivityCurves(sweep('random', runs));
    assert.equal(curves.length, 1);
    assert.equal(curves[0].connect, false);
    assert.equal(curves[0].points.length, runs.length);
    assert.equal(heatMap(sweep('random', runs)), undefined);
  });
});
