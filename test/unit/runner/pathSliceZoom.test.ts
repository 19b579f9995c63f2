import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { hostToRunnerSchema } from '../../../src/protocol/runner';
import { selectBackend } from '../../../src/runner/backend';
import { pathSliceGrid } from '../../../src/runner/pathSliceGrid';
import { keepPath } from '../../../src/runner/pathStore';

const FILE = path.join(__dirname, '..', '..', 'fixtures', 'objectives', 'pathSlice.ts');
/** ½·Σ aᵢ·xᵢ² with a = (10, 4, 1, 0.25) (the fixture's diagonalBowl). */
const bowl = (x: number[]): number => 0.5 * [10, 4, 1, 0.25].reduce((s, a, i) => s + a * x[i] * x[i], 0);

describe('runner: a zoomed PCA / Hessian slice (issue 23, zoom and pan)', function () {
  this.timeout(60_000);
  before(async () => {
    await selectBackend('cpu');
    const ref = { file: FILE, objective: 'diagonalBowl', seed: 0 };
    keepPath('zoom-bowl', { ref, n: 4, steps: [0, 10, 20], points: [[1, 1, 0, 0], [0.3, 0.6, 0, 0], [0, 0, 0, 0]].map((p) => Float32Array.from(p)) });
  });

  it('with a box the grid spans the box on the same plane (the paths unchanged); without one it spans the paths', async () => {
    const msg = hostToRunnerSchema.parse({ type: 'pathSlice', requestId: 's', method: 'hessian', runIds: ['zoom-bowl'], box: [[-0.2, 0.3], [0.1, 0.4]] });
    assert.ok(msg.type === 'pathSlice');
    const before = tf.memory().numTensors;
    const [zoomed, whole] = [await pathSliceGrid(msg, tf), await pathSliceGrid({ ...msg, box: undefined }, tf)];
    assert.equal(tf.memory().numTensors, before, 'no tensor leaked');
    assert.ok('slice' in zoomed && 'slice' in whole);
    const { xs, ys, values } = zoomed.slice.grid;
    const yAxis = ys ?? [];
    assert.deepEqual([xs[0], xs[xs.length - 1], yAxis[0], yAxis[yAxis.length - 1]], [-0.2, 0.3, 0.1, 0.4]);
    assert.deepEqual(zoomed.slice.paths, whole.slice.paths, 'the same plane and projected paths');
    assert.notDeepEqual(whole.slice.grid.xs[0], -0.2, 'unzoomed: the paths\' span');
    // The Hessian's top two eigenvectors are ±e₁ (λ 10) and ±e₂ (λ 4): the loss at (α, β) is 5α² + 2β².
    const [i, j] = [3, 7];
    const want = bowl([xs[i], yAxis[j], 0, 0]);
    assert.ok(Math.abs((values[j][i] ?? NaN) - want) < 1e-4, `${values[j][i]} vs ${want}`);
  });
});
