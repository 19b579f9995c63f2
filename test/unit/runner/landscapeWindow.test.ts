import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { landscapeWindowRequestSchema } from '../../../src/protocol/landscapeWindow';
import { landscapeSchema } from '../../../src/protocol/runner';
import { selectBackend } from '../../../src/runner/backend';
import { landscapeWindow } from '../../../src/runner/landscapeWindow';
import { fixture } from './runInProcess';

const himmelblau = (x: number, y: number): number => (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2;

describe('landscape over a zoomed window (landscapeWindow)', function () {
  this.timeout(60_000);
  before(async () => {
    await selectBackend('cpu');
  });

  it('a 60×60 contour over exactly the window, equal to f at every grid point, with no tensors left', async () => {
    const before = tf.memory().numTensors;
    const { grid, warning } = await landscapeWindow({ file: fixture('featureWindow.ts'), objective: 'himmelblauFree', seed: 0, box: [[2.5, 3.5], [1.5, 2.5]] }, tf);
    assert.equal(tf.memory().numTensors, before);
    assert.ok(grid?.ys, warning);
    assert.equal(landscapeSchema.safeParse(grid).success, true);
    assert.deepEqual([grid.xs[0], grid.xs[59], grid.ys[0], grid.ys[59]], [2.5, 3.5, 1.5, 2.5]);
    grid.values.forEach((row, j) => row.forEach((v, i) => {
      const exact = himmelblau(grid.xs[i], grid.ys?.[j] ?? NaN);
      assert.ok(v !== null && Math.abs(v - exact) <= 1e-4 * Math.max(1, exact), `f(${grid.xs[i]}, ${grid.ys?.[j]}) = ${v}, not ${exact}`);
    }));
  });

  it('a maximised run\'s window is −f, the loss its records carry, with no tensors left', async () => {
    const before = tf.memory().numTensors;
    const { grid, warning } = await landscapeWindow({ file: fixture('featureWindow.ts'), objective: 'himmelblauFree', seed: 0, maximize: true, box: [[2.5, 3.5], [1.5, 2.5]] }, tf);
    assert.equal(tf.memory().numTensors, before);
    assert.ok(grid?.ys, warning);
    grid.values.forEach((row, j) => row.forEach((v, i) => {
      const exact = -himmelblau(grid.xs[i], grid.ys?.[j] ?? NaN);
      assert.ok(v !== null && Math.abs(v - exact) <= 1e-4 * Math.max(1, -exact), `−f(${grid.xs[i]}, ${grid.ys?.[j]}) = ${v}, not ${exact}`);
    }));
  });

  it('a window of the wrong dimension, an unknown objective: a warning, no grid', async () => {
    const wrong = await landscapeWindow({ file: fixture('featureWindow.ts'), objective: 'himmelblauFree', seed: 0, box: [[0, 1]] }, tf);
    assert.match(wrong.warning ?? '', /2 parameters; the window has 1/);
    const missing = await landscapeWindow({ file: fixture('featureWindow.ts'), objective: 'nope', seed: 0, box: [[0, 1]] }, tf);
    assert.equal(missing.grid, undefined);
    assert.match(missing.warning ?? '', /^landscape not drawn: .*nope/);
  });

  it('the request schema refuses an empty or reversed window', () => {
    const base = { type: 'landscapeWindow', requestId: 'r', file: '/f.ts' };
    assert.equal(landscapeWindowRequestSchema.safeParse({ ...base, box: [[0, 1], [2, 3]] }).success, true);
    assert.equal(landscapeWindowRequestSchema.safeParse({ ...base, box: [[1, 0]] }).success, false);
    assert.equal(landscapeWindowRequestSchema.safeParse({ ...base, box: [] }).success, false);
  });
});
