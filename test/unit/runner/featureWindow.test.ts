import { strict as assert } from 'node:assert';
import { type Box, featureWindow, gridMinima } from '../../../src/runner/featureWindow';
import { fixture, runInProcess } from './runInProcess';

const himmelblau = (x: number, y: number): number => (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2;
const HIMMELBLAU_MINIMA = [[3, 2], [-2.8051, 3.1313], [-3.7793, -3.2832], [3.5844, -1.8481]];
const inside = (box: readonly (readonly number[])[], p: readonly number[]) => p.every((v, i) => v > box[i][0] && v < box[i][1]);

/** The grid evaluator of a plain function (x fastest), as the runner's plane evaluation lays it out. */
const gridOf = (f: (...xs: number[]) => number) => async (b: Box, size: number) => {
  const ax = (i: number) => Array.from({ length: size }, (_, k) => b[i][0] + ((b[i][1] - b[i][0]) * k) / (size - 1));
  if (b.length === 1) return ax(0).map((x) => f(x));
  return ax(1).flatMap((y) => ax(0).map((x) => f(x, y)));
};

describe('first landscape window without a domain (featureWindow)', function () {
  this.timeout(60_000);

  it('grid minima: interior minima of 2-D and 1-D grids, none on the border', () => {
    assert.deepEqual(gridMinima([5, 5, 5, 5, 1, 5, 5, 5, 5], [[0, 1, 2], [0, 1, 2]]), [[1, 1]]);
    assert.deepEqual(gridMinima([5, 5, 5, 0, 5, 1, 5, 5, 5, 5, 5, 5], [[0, 1, 2, 3], [0, 1, 2]]), [[1, 1]], 'the corner 0 is on the border');
    assert.deepEqual(gridMinima([5, 5, 5, 5, 5, 1, 1, 5, 5, 5, 5, 5], [[0, 1, 2, 3], [0, 1, 2]]), [[1, 1], [2, 1]], 'a tie between neighbours (a minimum between grid points) counts both');
    assert.deepEqual(gridMinima([3, 1, 2, 0.5, 4], [[0, 1, 2, 3, 4]]), [[1], [3]]);
    assert.deepEqual(gridMinima([1, 1, 1], [[0, 1, 2]]), [], 'a plateau is not a strict minimum');
  });

  it('Himmelblau from (0, 0): the window holds all four minima and the start', async () => {
    const box = await featureWindow([0, 0], gridOf(himmelblau));
    for (const m of HIMMELBLAU_MINIMA) assert.ok(inside(box, m), `${m} in ${JSON.stringify(box)}`);
    assert.ok(box.every(([lo, hi]) => hi - lo < 16), `not the largest probe: ${JSON.stringify(box)}`);
  });

  it('a bowl around x0 keeps a window of at least ±h0/2; no minimum at all keeps the square around x0', async () => {
    const bowl = await featureWindow([0.2, 0], gridOf((x, y) => x * x + y * y));
    assert.ok(inside(bowl, [0, 0]) && bowl.every(([lo, hi]) => hi - lo >= 1), JSON.stringify(bowl));
    assert.deepEqual(await featureWindow([0, 0], gridOf((x, y) => x + y)), [[-1, 1], [-1, 1]]);
  });

  it('runner: Himmelblau from (0, 0) under Adam (no domain) draws a first grid showing its four minima, and the path', async () => {
    const r = await runInProcess({ file: fixture('featureWindow.ts'), objective: 'himmelblauFree', optimizer: { id: 'adam', lr: 0.1 }, steps: 200 });
    assert.equal(r.leaked, 0);
    const grid = r.landscapes[0]?.grid;
    assert.ok(grid?.ys, r.landscapes[0]?.warning);
    const box = [[grid.xs[0], grid.xs[grid.xs.length - 1]], [grid.ys[0], grid.ys[grid.ys.length - 1]]];
    for (const m of HIMMELBLAU_MINIMA) assert.ok(inside(box, m), `${m} in ${JSON.stringify(box)}`);
    for (const s of r.steps) assert.ok(inside(box, s.params ?? []), `step ${s.step} at ${s.params}`);
    assert.equal(r.landscapes.length, 1, 'the path stays inside: no second grid');
  });

  it('runner, 1 parameter: the curve reaches the minimum at 7 from x0 = 1', async () => {
    const r = await runInProcess({ file: fixture('featureWindow.ts'), objective: 'farLine', optimizer: { id: 'sgd', lr: 0.1 }, steps: 5 });
    const xs = r.landscapes[0]?.grid?.xs ?? [];
    assert.ok(xs[0] < 1 && xs[xs.length - 1] > 7, `${xs[0]} … ${xs[xs.length - 1]}`);
  });
});
