import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { ParamLayout, type Params } from '../../../src/core/paramLayout';
import { selectBackend } from '../../../src/runner/backend';
import { evaluatePlane } from '../../../src/runner/evaluatePlane';
import { filterNormalizedDirection } from '../../../src/runner/filterNormalizedDirection';
import { createRng } from '../../../src/runner/rng';
import { landscapeSchema } from '../../../src/protocol/runner';
import { EXAMPLES, fixture, runInProcess } from './runInProcess';

const rosen = (x: number, y: number): number => (1 - x) ** 2 + 100 * (y - x * x) ** 2;
const close = (a: number, b: number, rel = 1e-5): boolean => Math.abs(a - b) <= rel * Math.max(1, Math.abs(b));

describe('landscape (runner)', function () {
  this.timeout(60_000);

  it('Rosenbrock: a 60×60 contour over its domain, equal to f at every grid point', async () => {
    const r = await runInProcess({ file: `${EXAMPLES}/rosenbrock.ts`, optimizer: { id: 'adam', lr: 0.05 }, steps: 50 });
    assert.equal(r.leaked, 0);
    assert.equal(r.landscapes.length, 1, 'the domain fixes the window: no second grid');
    const grid = r.landscapes[0].grid;
    assert.ok(grid, r.landscapes[0].warning);
    assert.equal(grid.kind, 'contour');
    assert.deepEqual(grid.axes, r.meta?.paramNames);
    assert.equal(grid.xs.length, 60);
    assert.equal(grid.ys?.length, 60);
    assert.deepEqual([grid.xs[0], grid.xs[59], grid.ys?.[0], grid.ys?.[59]], [-2, 2, -1, 3]);
    grid.values.forEach((row, j) => row.forEach((v, i) => {
      assert.ok(v !== null && close(v, rosen(grid.xs[i], grid.ys?.[j] ?? NaN), 1e-4), `f(${grid.xs[i]}, ${grid.ys?.[j]}) = ${v}`);
    }));
    assert.equal(landscapeSchema.safeParse(grid).success, true);
    assert.equal(r.startedFile, `${EXAMPLES}/rosenbrock.ts`);
  });

  it('step records carry the iterates of a 2-parameter run: x₀ the initial point, each next one x − lr·∇f', async () => {
    const lr = 0.001;
    const r = await runInProcess({ file: `${EXAMPLES}/rosenbrock.ts`, optimizer: { id: 'sgd', lr }, steps: 200 });
    assert.equal(r.steps.length, 200);
    assert.deepEqual(r.steps[0].params, r.meta?.initialParams);
    for (let k = 0; k + 1 < r.steps.length; k++) {
      const [x, y] = r.steps[k].params ?? [];
      const [gx, gy] = [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)];
      const [nx, ny] = r.steps[k + 1].params ?? [];
      assert.ok(close(nx, x - lr * gx, 1e-4) && close(ny, y - lr * gy, 1e-4), `step ${k + 1}: (${nx}, ${ny})`);
      assert.ok(close(r.steps[k].loss, rosen(x, y), 1e-4));
    }
  });

  it('records have no params for more than 2 parameters, and no landscape unless asked', async () => {
    const r = await runInProcess({ file: `${EXAMPLES}/quadratic.ts`, objective: 'illConditioned', steps: 10 });
    assert.ok(r.steps.every((s) => s.params === undefined));
    assert.deepEqual(r.landscapes, []);
  });

  it('more parameters, asked for: a 31×31 filter-normalised slice through x₀ whose centre is the initial loss', async () => {
    const r = await runInProcess({ file: `${EXAMPLES}/quadratic.ts`, objective: 'illConditioned', steps: 10, landscape: true });
    assert.equal(r.leaked, 0);
    const grid = r.landscapes[0]?.grid;
    assert.ok(grid);
    assert.equal(grid.kind, 'slice2d');
    assert.equal(grid.xs.length, 31);
    assert.deepEqual([grid.xs[0], grid.xs[15], grid.xs[30]], [-1, 0, 1]);
    assert.ok(close(grid.values[15][15] ?? NaN, r.steps[0].loss, 1e-5), `${grid.values[15][15]} vs ${r.steps[0].loss}`);
    // A convex bowl ½Σcᵢxᵢ² ≥ 0 everywhere, and a slice of a convex function is convex: its largest values lie on the border.
    assert.ok(grid.values.flat().every((v) => v !== null && v >= 0));
    const border = [...grid.values[0], ...grid.values[30], ...grid.values.map((row) => row[0]), ...grid.values.map((row) => row[30])] as number[];
    assert.equal(Math.max(...border), Math.max(...(grid.values.flat() as number[])));
    // Another seed, other directions; the first seed again (recomputed: the process keeps only the last grid), the same slice.
    const other = await runInProcess({ file: `${EXAMPLES}/quadratic.ts`, objective: 'illConditioned', steps: 10, landscape: true, seed: 1 });
    assert.notDeepEqual(other.landscapes[0]?.grid?.values, grid.values);
    const again = await runInProcess({ file: `${EXAMPLES}/quadratic.ts`, objective: 'illConditioned', steps: 10, landscape: true });
    assert.deepEqual(again.landscapes[0]?.grid?.values, grid.values);
  });

  it('the window follows a path that leaves it (no domain): a second grid covers the whole path', async () => {
    // No minimum for the first window to find: it stays the square around x0, which the path leaves.
    const r = await runInProcess({ file: fixture('featureWindow.ts'), objective: 'tilted', optimizer: { id: 'sgd', lr: 0.1 }, steps: 60 });
    assert.equal(r.done?.status, 'completed');
    assert.equal(r.landscapes.length, 2);
    const [first, second] = r.landscapes.map((l) => l.grid);
    assert.deepEqual([first?.xs[0], first?.xs[59]], [-1, 1]);
    const final = r.done?.final.params ?? [];
    assert.ok(second && second.xs[0] <= final[0] && second.xs[59] >= 1, `${second?.xs[0]} … ${second?.xs[59]}`);
  });

  it('an objective that throws only on the landscape: a warning, and the run completes', async () => {
    const r = await runInProcess({ file: fixture('landscape.ts'), objective: 'picky', optimizer: { id: 'sgd', lr: 0.1 }, steps: 20 });
    assert.equal(r.leaked, 0);
    assert.equal(r.done?.status, 'completed');
    assert.equal(r.landscapes.length, 1);
    assert.equal(r.landscapes[0].grid, undefined);
    assert.match(r.landscapes[0].warning ?? '', /^landscape not drawn: .*outside the trusted region/);
  });

  it('an objective that is not elementwise in a batch axis gets a 40×40 contour point by point; a re-run of the same code reuses it', async () => {
    const calls = () => (globalThis as { countedBowlCalls?: number }).countedBowlCalls ?? 0;
    const first = await runInProcess({ file: fixture('countedBowl.ts'), steps: 5, compile: false });
    const grid = first.landscapes[0]?.grid;
    assert.equal(grid?.kind, 'contour');
    assert.equal(grid?.xs.length, 40);
    // bowl = ½·Σx² from (3, −4), no domain: the first window holds the start and the minimum at the origin.
    const [x0, x1, y0, y1] = [grid?.xs[0] ?? NaN, grid?.xs[39] ?? NaN, grid?.ys?.[0] ?? NaN, grid?.ys?.[39] ?? NaN];
    assert.ok(x0 < 0 && x1 > 3 && y0 < -4 && y1 > 0, `[${x0}, ${x1}] × [${y0}, ${y1}]`);
    const x = grid?.xs[5] ?? NaN, y = grid?.ys?.[9] ?? NaN;
    assert.ok(close(grid?.values[9][5] ?? NaN, 0.5 * (x * x + y * y), 1e-5));
    // The first run evaluated the 1,600 grid points (point by point); the re-run, its own steps only.
    assert.ok(calls() >= 1600, `${calls()} calls in the first run`);
    const before = calls();
    const again = await runInProcess({ file: fixture('countedBowl.ts'), steps: 5, optimizer: { id: 'adam', lr: 0.1 }, compile: false });
    assert.deepEqual(again.landscapes[0]?.grid?.values, grid?.values);
    assert.ok(calls() - before < 100, `${calls() - before} calls in the re-run`);
  });

  it('one parameter: a curve over the domain', async () => {
    const r = await runInProcess({ file: fixture('landscape.ts'), objective: 'wiggle', optimizer: { id: 'sgd', lr: 0.01 }, steps: 20 });
    const grid = r.landscapes[0]?.grid;
    assert.equal(grid?.kind, 'curve');
    assert.equal(grid?.values.length, 1);
    assert.equal(grid?.xs.length, 200);
    const x = grid?.xs[37] ?? NaN;
    assert.ok(close(grid?.values[0][37] ?? NaN, x * x + 2 * Math.sin(3 * x), 1e-5));
    assert.equal(r.steps[3].params?.length, 1);
  });
});

const layoutOf = (shapes: Record<string, number[]> | number[]): ParamLayout => {
  const params = Array.isArray(shapes) ? tf.zeros(shapes) : Object.fromEntries(Object.entries(shapes).map(([k, s]) => [k, tf.zeros(s)]));
  const layout = ParamLayout.of(params);
  tf.dispose(params);
  return layout;
};

function computed<T>(out: T | undefined | 'not-batchable'): T {
  if (out === undefined || out === 'not-batchable') throw new Error(`expected values, got ${out}`);
  return out;
}

describe('evaluatePlane', () => {
  let layout: ParamLayout;
  before(async () => {
    await selectBackend('cpu');
    layout = layoutOf([2]);
  });
  const plane = (n: number) => {
    const xs = Array.from({ length: n }, (_, i) => -2 + (4 * i) / (n - 1));
    const coords = new Float32Array(2 * n * n);
    xs.forEach((y, j) => xs.forEach((x, i) => coords.set([x, y], 2 * (j * n + i))));
    return { base: new Float32Array(2), dirs: [Float32Array.of(1, 0), Float32Array.of(0, 1)], coords };
  };
  const evaluator = (raw: (p: Params) => tf.Tensor, cancelled = () => false) => ({
    raw, f: (x: tf.Tensor1D) => raw(x) as tf.Scalar, layout, tf, isCancelled: cancelled, deadline: Date.now() + 60_000,
  });
  const rosenTf = (p: Params) => {
    const t = p as tf.Tensor;
    const x = t.gather(0);
    const y = t.gather(1);
    return tf.add(tf.square(tf.sub(1, x)), tf.mul(100, tf.square(tf.sub(y, tf.square(x)))));
  };

  it('evaluates an elementwise objective in one batched call (3600 points), a reducing one point by point, with equal values and no leak', async () => {
    const before = tf.memory().numTensors;
    const t0 = performance.now();
    const batched = computed(await evaluatePlane(evaluator(rosenTf), plane(60), true));
    const batchedMs = performance.now() - t0;
    const t1 = performance.now();
    // The same function through a reduction (sum over one element) is not elementwise in a trailing axis.
    const reducing = evaluator((p) => tf.sum(rosenTf(p)));
    assert.equal(await evaluatePlane(reducing, plane(60), true), 'not-batchable');
    const looped = computed(await evaluatePlane(reducing, plane(60)));
    const loopedMs = performance.now() - t1;
    assert.equal(tf.memory().numTensors, before);
    assert.equal(batched.batched, true);
    assert.equal(looped.batched, false);
    assert.equal(batched.values.length, 3600);
    batched.values.forEach((v, k) => assert.ok(close(v, looped.values[k], 1e-6), `point ${k}`));
    console.log(`      Rosenbrock 60×60: batched ${batchedMs.toFixed(0)} ms, point by point ${loopedMs.toFixed(0)} ms`);
  });

  it('stops when cancelled (point by point)', async () => {
    let calls = 0;
    const before = tf.memory().numTensors;
    const out = await evaluatePlane(evaluator((p) => tf.sum(rosenTf(p)), () => ++calls > 2), plane(60));
    assert.equal(out, undefined);
    assert.equal(tf.memory().numTensors, before);
  });
});

describe('filterNormalizedDirection', () => {
  it('rescales each parameter tensor\'s part to that tensor\'s norm (zero tensors: entries of size about 1)', () => {
    const layout = layoutOf({ w: [3, 4], b: [4] });
    const x0 = new Float32Array(16);
    x0.set(Array.from({ length: 12 }, (_, i) => i - 6));
    const d = filterNormalizedDirection(layout, x0, createRng(3));
    const norm = (a: ArrayLike<number>, from: number, to: number) => Math.sqrt(Array.from(a).slice(from, to).reduce((s, v) => s + v * v, 0));
    assert.ok(close(norm(d, 0, 12), norm(x0, 0, 12), 1e-5));
    assert.ok(close(norm(d, 12, 16), 2, 1e-5));
  });
});
