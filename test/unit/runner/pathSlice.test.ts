import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { landscapeWindowAnswerSchema } from '../../../src/protocol/landscapeWindow';
import { pathSliceAnswerSchema, pathSliceRequestSchema } from '../../../src/protocol/pathSlice';
import { hostToRunnerSchema, runRequestSchema, runnerToHostSchema, type RunnerToHost } from '../../../src/protocol/runner';
import { selectBackend } from '../../../src/runner/backend';
import { landscapeRequests } from '../../../src/runner/landscapeRequests';
import { pcaDirections } from '../../../src/runner/pathDirections';
import { pathSliceGrid } from '../../../src/runner/pathSliceGrid';
import { pathRecorder, storedPath } from '../../../src/runner/pathStore';
import { runObjective } from '../../../src/runner/run';
import { fixture } from './runInProcess';

const A = [10, 4, 1, 0.25];
const bowl = (x: ArrayLike<number>): number => 0.5 * A.reduce((s, a, i) => s + a * x[i] * x[i], 0);

/** Runs diagonalBowl with plain gradient descent, recording its path as the runner process does (main.ts). */
async function recordedRun(runId: string, lr: number, steps: number, compile: boolean): Promise<RunnerToHost[]> {
  const backend = await selectBackend('cpu');
  const req = runRequestSchema.parse({ type: 'run', runId, file: fixture('pathSlice.ts'), objective: 'diagonalBowl', optimizer: { id: 'sgd', lr }, steps, compile });
  const path = pathRecorder(req);
  const events: RunnerToHost[] = [];
  await runObjective(req, backend, tf, (m) => {
    path.see(m);
    events.push(m);
  }, { isCancelled: () => false, lrSet: () => undefined, stepDone: (step, x) => path.step(step, x) });
  return events;
}

describe('path slices (PCA and Hessian planes through a recorded path)', function () {
  this.timeout(120_000);
  before(async () => {
    await selectBackend('cpu');
  });

  it('records x0, thinned iterates and the final point, on tensors and on the compiled path alike', async () => {
    for (const compile of [false, true]) {
      await recordedRun(`rec-${compile}`, 0.05, 200, compile);
      const path = storedPath(`rec-${compile}`);
      assert.ok(path, 'stored');
      assert.equal(path.n, 4);
      assert.equal(path.steps[0], 0);
      assert.deepEqual(Array.from(path.points[0]), [1, 1, 0, 0]);
      assert.equal(path.steps[path.steps.length - 1], 200);
      assert.ok(path.points.length >= 40 && path.points.length <= 62, `${path.points.length} points`);
      // Gradient descent on a diagonal quadratic: x_k = (1 − lr·a)^k x0, coordinate by coordinate.
      path.steps.forEach((k, j) => {
        assert.ok(Math.abs(path.points[j][0] - 0.5 ** k) < 1e-5 && Math.abs(path.points[j][1] - 0.8 ** k) < 1e-5, `step ${k}: ${Array.from(path.points[j])}`);
      });
    }
  });

  it('Hessian slice: eigenvalues 10 and 4, the loss on the plane is ½(10α² + 4β²) around the final point, and the path projects onto it', async () => {
    const events = await recordedRun('hess', 0.05, 8, true); // short: the final point is off the axes, so the signs of v₁, v₂ show
    const before = tf.memory().numTensors;
    const result = await pathSliceGrid({ method: 'hessian', runIds: ['hess'] }, tf);
    assert.equal(tf.memory().numTensors, before, 'no tensors left');
    assert.ok('slice' in result, 'warning' in result ? result.warning : '');
    const { slice } = result;
    assert.ok(slice.eigenvalues && Math.abs(slice.eigenvalues[0] - 10) < 1e-3 && Math.abs(slice.eigenvalues[1] - 4) < 1e-3, `${slice.eigenvalues}`);
    assert.equal(pathSliceAnswerSchema.safeParse({ type: 'pathSlice', requestId: 'r', slice }).success, true);
    const final = storedPath('hess')?.points.at(-1) ?? new Float32Array(4);
    const { xs, ys, values } = slice.grid;
    assert.equal(xs.length, 31);
    // v₁ = ±e₁, v₂ = ±e₂: the loss on the plane is ½(10(x₁ + s₁α)² + 4(x₂ + s₂β)²) for one choice of signs, at every grid point and every projected path point.
    const onPlane = (a: number, b: number, [s1, s2]: number[]): number => bowl([final[0] + s1 * a, final[1] + s2 * b, final[2], final[3]]);
    const steps = events.flatMap((m) => (m.type === 'steps' ? m.steps : []));
    const path = slice.paths[0];
    assert.equal(path.runId, 'hess');
    assert.deepEqual(path.points.at(-1)?.map((v) => Math.abs(v) < 1e-6), [true, true], 'the final point is the origin');
    const near = (v: number | null, exact: number): boolean => v !== null && Math.abs(v - exact) < 1e-4 * Math.max(1, exact);
    const signs = [[1, 1], [1, -1], [-1, 1], [-1, -1]].filter((s) =>
      (ys ?? []).every((b, j) => xs.every((a, i) => near(values[j][i], onPlane(a, b, s))))
      && path.steps.every((k, j) => near(k < steps.length ? steps[k].loss : bowl(final), onPlane(path.points[j][0], path.points[j][1], s))));
    assert.equal(signs.length, 1, 'one orientation of v₁, v₂ explains the grid and the projected path');
  });

  it('PCA slice: the caption\'s shares are the path\'s variance along the two directions, and the grid is f on that plane', async () => {
    await recordedRun('pca', 0.05, 100, true);
    await recordedRun('pca-b', 0.02, 100, true);
    const result = await pathSliceGrid({ method: 'pca', runIds: ['pca', 'pca-b', 'nobody'] }, tf);
    assert.ok('slice' in result, 'warning' in result ? result.warning : '');
    const { slice } = result;
    const stored = storedPath('pca');
    assert.ok(stored);
    const origin = stored.points[stored.points.length - 1];
    const dirs = pcaDirections(stored.points, origin);
    assert.ok(dirs?.explained && slice.explained);
    // The path moves in the e₁, e₂ plane only: two directions explain all of it.
    assert.ok(Math.abs(slice.explained[0] + slice.explained[1] - 1) < 1e-6, `${slice.explained}`);
    assert.ok(slice.explained[0] > slice.explained[1]);
    assert.deepEqual(slice.explained, dirs.explained);
    assert.match(slice.grid.axes?.[0] ?? '', /^PC1 \(\d+\.\d %\)$/);
    const { xs, ys, values } = slice.grid;
    ys?.forEach((b, j) => xs.forEach((a, i) => {
      const x = Array.from(origin, (o, t) => o + a * dirs.dirs[0][t] + b * dirs.dirs[1][t]);
      const exact = bowl(x);
      assert.ok(Math.abs((values[j][i] ?? NaN) - exact) < 1e-4 * Math.max(1, exact), `(${a}, ${b})`);
    }));
    assert.deepEqual(slice.paths.map((p) => p.runId), ['pca', 'pca-b'], 'both runs on one plane');
    assert.deepEqual(slice.missing, ['nobody']);
  });

  it('a run without a recorded path: a warning; the runner\'s requests answer once each and a newer one cancels an older one', async () => {
    const unknown = await pathSliceGrid({ method: 'pca', runIds: ['never-ran'] }, tf);
    assert.match('warning' in unknown ? unknown.warning : '', /no recorded path for never-ran/);
    const sent: RunnerToHost[] = [];
    const requests = landscapeRequests(tf, (m) => sent.push(runnerToHostSchema.parse(m)));
    const box: [number, number][] = [[2.5, 3.5], [1.5, 2.5]];
    const ask = (requestId: string) => hostToRunnerSchema.parse({ type: 'landscapeWindow', requestId, file: fixture('featureWindow.ts'), objective: 'himmelblauFree', box });
    const first = ask('w1');
    const second = ask('w2');
    assert.ok(first.type === 'landscapeWindow' && second.type === 'landscapeWindow');
    await Promise.all([requests.window(first), requests.window(second)]);
    const answers = sent.map((m) => landscapeWindowAnswerSchema.parse(m));
    assert.deepEqual(answers.map((a) => a.requestId), ['w1', 'w2']);
    assert.match(answers[0].warning ?? '', /superseded/);
    const grid = answers[1].grid;
    assert.ok(grid?.ys);
    assert.deepEqual([grid.xs[0], grid.xs[59], grid.ys[0], grid.ys[59]], [2.5, 3.5, 1.5, 2.5]);
    // Himmelblau's minimum at (3, 2) is inside the window: the smallest grid value is near 0.
    const least = Math.min(...grid.values.flat().map((v) => v ?? Infinity));
    assert.ok(least < 0.05, `${least}`);
    assert.equal(pathSliceRequestSchema.safeParse({ type: 'pathSlice', requestId: 'r', method: 'pca', runIds: [] }).success, false);
  });
});
