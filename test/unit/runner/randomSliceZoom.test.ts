import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ParamLayout } from '../../../src/core/paramLayout';
import { hostToRunnerSchema, runRequestSchema, type Landscape, type RunnerToHost } from '../../../src/protocol/runner';
import { selectBackend } from '../../../src/runner/backend';
import { randomSliceDirections } from '../../../src/runner/filterNormalizedDirection';
import { pathSliceGrid } from '../../../src/runner/pathSliceGrid';
import { pathRecorder } from '../../../src/runner/pathStore';
import { runObjective } from '../../../src/runner/run';

const FILE = path.join(__dirname, '..', '..', 'fixtures', 'objectives', 'pathSlice.ts');
const A = [10, 4, 1, 0.25];
const X0 = [1, 1, 0, 0];
const SEED = 3;
/** ½·Σ aᵢ·xᵢ² (the fixture's diagonalBowl) at x0 + α·d1 + β·d2, in float64. */
const bowlOnPlane = (alpha: number, beta: number, [d1, d2]: Float32Array[]): number =>
  0.5 * A.reduce((s, a, i) => s + a * (X0[i] + alpha * d1[i] + beta * d2[i]) ** 2, 0);

/** Runs the bowl as the runner does (path recorded) and returns the run's own random 2-D slice. */
async function runWithSlice(runId: string): Promise<Landscape> {
  const backend = await selectBackend('cpu');
  const req = runRequestSchema.parse({ type: 'run', runId, file: FILE, objective: 'diagonalBowl', optimizer: { id: 'sgd', lr: 0.05 }, steps: 30, seed: SEED, landscape: true });
  const recorder = pathRecorder(req);
  let grid: Landscape | undefined;
  await runObjective(req, backend, tf, (m: RunnerToHost) => {
    recorder.see(m);
    if (m.type === 'landscape' && m.grid) grid = m.grid;
  }, { isCancelled: () => false, lrSet: () => undefined, stepDone: (step, x) => recorder.step(step, x) });
  assert.ok(grid && grid.kind === 'slice2d', 'the run drew a random 2-D slice');
  return grid;
}

describe('runner: a zoomed random filter-normalised slice (issue 23, zoom and pan)', function () {
  this.timeout(120_000);
  let first: Landscape;
  before(async () => {
    first = await runWithSlice('random-bowl');
  });

  it('without a box the runner rebuilds the run\'s own grid bit for bit (the same directions from the seed)', async () => {
    const msg = hostToRunnerSchema.parse({ type: 'pathSlice', requestId: 'r', method: 'random', runIds: ['random-bowl'] });
    assert.ok(msg.type === 'pathSlice');
    const again = await pathSliceGrid(msg, tf);
    assert.ok('slice' in again, 'warning' in again ? again.warning : '');
    assert.deepEqual(again.slice.grid.xs, first.xs);
    assert.deepEqual(again.slice.grid.ys, first.ys);
    assert.deepEqual(again.slice.grid.values, first.values, 'every value identical: the same plane through x0');
    assert.deepEqual(again.slice.grid.axes, first.axes);
    // x0 is the plane's origin: the path's first point projects to (0, 0).
    const [x, y] = again.slice.paths[0].points[0];
    assert.ok(Math.abs(x) < 1e-6 && Math.abs(y) < 1e-6, `x0 at (${x}, ${y})`);
  });

  it('with a box the grid spans it on the same plane and equals the bowl\'s closed form there', async () => {
    const msg = hostToRunnerSchema.parse({ type: 'pathSlice', requestId: 'z', method: 'random', runIds: ['random-bowl'], box: [[-0.3, 0.2], [0.05, 0.45]] });
    assert.ok(msg.type === 'pathSlice');
    const before = tf.memory().numTensors;
    const [zoomed, whole] = [await pathSliceGrid(msg, tf), await pathSliceGrid({ ...msg, box: undefined }, tf)];
    assert.equal(tf.memory().numTensors, before, 'no tensor leaked');
    assert.ok('slice' in zoomed && 'slice' in whole);
    const { xs, values } = zoomed.slice.grid;
    const ys = zoomed.slice.grid.ys ?? [];
    assert.deepEqual([xs[0], xs[xs.length - 1], ys[0], ys[ys.length - 1]], [-0.3, 0.2, 0.05, 0.45]);
    assert.deepEqual(zoomed.slice.paths, whole.slice.paths, 'the paths projected the same');
    const probe = tf.tensor1d(X0);
    const dirs = randomSliceDirections(ParamLayout.of(probe), Float32Array.from(X0), SEED);
    probe.dispose();
    // Filter-normalised: each direction has x0's norm (one tensor of 4).
    for (const d of dirs) assert.ok(Math.abs(Math.hypot(...d) - Math.SQRT2) < 1e-5);
    let worst = 0;
    ys.forEach((b, j) => xs.forEach((a, i) => {
      const want = bowlOnPlane(a, b, dirs);
      worst = Math.max(worst, Math.abs((values[j][i] ?? NaN) - want) / Math.max(1, want));
    }));
    assert.ok(worst < 1e-5, `largest relative error ${worst}`);
  });

  it('a one-axis box: the 1-D slice along the first direction over the window (a run whose slice was 1-D zooms so)', async () => {
    const msg = hostToRunnerSchema.parse({ type: 'pathSlice', requestId: 'l', method: 'random', runIds: ['random-bowl'], box: [[-0.4, 0.6]] });
    assert.ok(msg.type === 'pathSlice');
    const before = tf.memory().numTensors;
    const line = await pathSliceGrid(msg, tf);
    assert.equal(tf.memory().numTensors, before, 'no tensor leaked');
    assert.ok('slice' in line, 'warning' in line ? line.warning : '');
    const { kind, xs, values, axes } = line.slice.grid;
    assert.equal(kind, 'slice1d');
    assert.deepEqual(axes, ['α (random direction)']);
    assert.deepEqual([xs.length, xs[0], xs[xs.length - 1], values.length], [61, -0.4, 0.6, 1]);
    const probe = tf.tensor1d(X0);
    const dirs = randomSliceDirections(ParamLayout.of(probe), Float32Array.from(X0), SEED);
    probe.dispose();
    let worst = 0;
    xs.forEach((a, i) => {
      const want = bowlOnPlane(a, 0, dirs);
      worst = Math.max(worst, Math.abs((values[0][i] ?? NaN) - want) / Math.max(1, want));
    });
    assert.ok(worst < 1e-5, `largest relative error ${worst}`);
  });

  it('a run the runner has no path for gets a warning, not a grid', async () => {
    const answer = await pathSliceGrid({ method: 'random', runIds: ['never-ran'] }, tf);
    assert.ok('warning' in answer && /no recorded path/.test(answer.warning));
  });
});
