import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import type { ArrayOptimizer } from '../../../../src/core/arrays/contracts';
import type { LbfgsArraysState } from '../../../../src/core/arrays/lbfgsArrays';
import type { FlatObjective } from '../../../../src/core/curvature/hvp';
import type { HpRecord } from '../../../../src/core/hyperparams';
import { createOptimizer } from '../../../../src/core/optimizers/registry';
import { selectBackend } from '../../../../src/runner/backend';
import { runArrays, tfArrayObjective } from '../../helpers/arrayTrace';
import { runSecondOrder } from '../../helpers/runSecondOrder';
import { FIXTURE_FILES, loadTorchFixture, testFunctionFor, firstParityMismatch } from '../../helpers/torchFixtures';


const fixtures = FIXTURE_FILES.map(loadTorchFixture);
const lbfgsCases = fixtures.flatMap((fixture) =>
  fixture.cases.filter((c) => c.optimizer === 'lbfgs').map((c) => ({ fixture, c, fn: testFunctionFor(fixture.function) })),
);

function arraysOf(hp: HpRecord): ArrayOptimizer {
  const arrays = createOptimizer('lbfgs', hp).arrays;
  if (!arrays) throw new Error('lbfgs has no array form');
  return arrays;
}


/** Largest |a − b| / max(1, |b|) over the two vectors. */
function relativeGap(a: readonly number[], b: readonly number[]): number {
  return Math.max(...a.map((ai, i) => Math.abs(ai - b[i]) / Math.max(1, Math.abs(b[i]))));
}

/** Runs the array and tensor versions side by side and checks they agree step for step. */
function expectSameAsTensor(f: FlatObjective, x0: readonly number[], hp: HpRecord, lr: number, steps: number) {
  const before = tf.memory().numTensors;
  const arrays = runArrays(arraysOf(hp), tfArrayObjective(f, x0.length), x0, lr, steps);
  const tensor = runSecondOrder(createOptimizer('lbfgs', hp), f, [...x0], lr, steps);
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  const gap = relativeGap(arrays.xs[steps - 1], tensor.xs[steps - 1]);
  assert.ok(gap <= 1e-5, `params after ${steps} steps differ by ${gap}: ${arrays.xs[steps - 1]} vs ${tensor.xs[steps - 1]}`);
  assert.deepEqual(arrays.infos.map((i) => i.skippedPairs), tensor.infos.map((i) => i.skippedPairs));
  assert.deepEqual(arrays.infos.map((i) => i.historyLength), tensor.infos.map((i) => i.historyLength));
  assert.deepEqual(arrays.extraEvals, tensor.extraEvals, 'line-search evaluations per step');
  assert.deepEqual(
    arrays.infos.map((i) => Object.keys(i).sort()),
    tensor.infos.map((i) => Object.keys(i).sort()),
    'info keys',
  );
  return { arrays, tensor };
}

describe('lbfgs on plain arrays', () => {
  before(async () => {
    // The tensor version and the tf-evaluated objectives run on cpu, whose dot products the array path mirrors.
    const choice = await selectBackend('cpu');
    assert.equal(choice.backend, 'cpu');
  });

  it('is the optimizer lbfgs creates as `arrays`', () => {
    assert.equal(typeof createOptimizer('lbfgs').arrays?.update, 'function');
  });

  describe('passes the torch parity bar on every lbfgs fixture case', () => {
    for (const { fixture, c, fn } of lbfgsCases) {
      it(`${fixture.function.name}/${c.name} (lr ${c.lr}, ${JSON.stringify(c.hp)})`, () => {
        const before = tf.memory().numTensors;
        const trace = runArrays(arraysOf(c.hp), tfArrayObjective(fn.f, fn.n), c.x0 ?? fixture.x0, c.lr, fixture.steps);
        assert.equal(firstParityMismatch(trace.losses, c.losses), undefined, `${fixture.function.name}/${c.name}`);
        assert.equal(tf.memory().numTensors, before);
      });
    }
  });

  it('covers every lbfgs case the fixtures hold, with and without the line search and history size', () => {
    assert.ok(lbfgsCases.length >= 10, `${lbfgsCases.length} cases`);
    assert.ok(lbfgsCases.some(({ c }) => c.hp.line_search_fn === 'strong_wolfe'));
    assert.ok(lbfgsCases.some(({ c }) => c.hp.history_size === 3));
  });

  describe('runs the same through the tensor loop (arraysOnTensors: line searches evaluate on tensors): params after 50 steps, skipped pairs, history, evaluations', () => {
    for (const { fixture, c, fn } of lbfgsCases.filter(({ c }) => c.hp.history_size === 3 || c.hp.line_search_fn)) {
      it(`${fixture.function.name}/${c.name}`, () => {
        expectSameAsTensor(fn.f, c.x0 ?? fixture.x0, c.hp, c.lr, 50);
      });
    }
  });

  it('the line search evaluates as often through the tensor loop and reports its trials', () => {
    const { fixture, c, fn } =
      lbfgsCases.find(({ fixture, c }) => fixture.function.name === 'logistic' && c.hp.line_search_fn && !c.hp.history_size) ??
      assert.fail('no case');
    const { arrays, tensor } = expectSameAsTensor(fn.f, c.x0 ?? fixture.x0, c.hp, c.lr, 30);
    assert.ok(Math.max(...arrays.extraEvals) > 1, 'some searches need more than one trial');
    arrays.infos.forEach((info, k) => {
      const trials = info.lineSearchTrials as number[];
      assert.equal(trials.length, arrays.extraEvals[k]);
      const tensorTrials = tensor.infos[k].lineSearchTrials as number[];
      assert.ok(relativeGap(trials, tensorTrials) <= 1e-5, `step ${k}: trials ${trials} vs ${tensorTrials}`);
    });
  });

  it('accepts a first trial that decreases f by 5e-4 of the predicted drop (sufficient decrease with c1 = 1e-4)', () => {
    // f = x + a x² + b x³ from 0: g = 1, so t = lr = 1 and the trial is x = −1, where f = −5e-4 and f' = 0.
    // torch's c1 = 1e-4 accepts it at once; a c1 above 5e-4 would reject it and zoom.
    const [a, b] = [1.9985, 0.999];
    const cubic: FlatObjective = (x) =>
      tf.tidy(() => tf.sum(tf.add(x, tf.add(tf.mul(a, tf.square(x)), tf.mul(b, tf.mul(x, tf.square(x)))))) as tf.Scalar);
    const { arrays } = expectSameAsTensor(cubic, [0], { line_search_fn: 'strong_wolfe' }, 1, 1);
    assert.equal(arrays.extraEvals[0], 1);
    assert.deepEqual(arrays.xs[0], [-1]);
  });

  it('skips pairs with yᵀs ≤ 1e-10 on a concave function and counts them, as the tensor version does', () => {
    // f = −x²: x0 = 1, g = −2, t = ½: x1 = 2; y = −2, s = 1, yᵀs = −2 (skipped); d = −g1 = 4: x2 = 6.
    const concave: FlatObjective = (x) => tf.tidy(() => tf.neg(tf.sum(tf.square(x))) as tf.Scalar);
    const { arrays } = expectSameAsTensor(concave, [1], {}, 1, 3);
    assert.deepEqual(arrays.xs.slice(0, 2), [[2], [6]]);
    assert.deepEqual(arrays.infos.map((i) => i.skippedPairs), [0, 1, 2]);
  });

  it('keeps and skips pairs in one run (a double well through its concave middle) like the tensor version', () => {
    // Σ (x_i² − 1)² has negative curvature for |x_i| < 1/√3: early pairs are skipped, later ones kept.
    const doubleWell: FlatObjective = (x) => tf.tidy(() => tf.sum(tf.square(tf.sub(tf.square(x), 1))) as tf.Scalar);
    const { arrays } = expectSameAsTensor(doubleWell, [0.05, -0.1, 0.02, 0.3], { history_size: 3 }, 0.05, 50);
    const last = arrays.infos[49];
    assert.ok((last.skippedPairs as number) > 0, `skipped ${last.skippedPairs}`);
    assert.equal(last.historyLength, 3);
  });

  it('returns at once, unchanged, when max|g| ≤ tolerance_grad', () => {
    const halfSquare: FlatObjective = (x) => tf.tidy(() => tf.mul(0.5, tf.sum(tf.square(x))) as tf.Scalar);
    const trace = runArrays(arraysOf({ tolerance_grad: 1e-3 }), tfArrayObjective(halfSquare, 2), [1e-4, -2e-4], 1, 1);
    assert.deepEqual(trace.xs[0], [Math.fround(1e-4), Math.fround(-2e-4)]);
    assert.equal(trace.infos[0].converged, true);
    assert.equal(trace.updateNormSq[0], 0);
  });

  it('returns ‖paramsOut − params‖² as updateNormSq', () => {
    const { fixture, c, fn } = lbfgsCases[0];
    const trace = runArrays(arraysOf(c.hp), tfArrayObjective(fn.f, fn.n), fixture.x0, c.lr, 20);
    trace.updateNormSq.forEach((v, k) => {
      assert.ok(Math.abs(v - trace.measuredNormSq[k]) <= 1e-6 * trace.measuredNormSq[k], `step ${k}: ${v} vs ${trace.measuredNormSq[k]}`);
    });
    assert.ok(trace.updateNormSq[0] > 0);
  });

  it('recycles a fixed set of vectors once the history ring is full', () => {
    const optimizer = arraysOf({ history_size: 3 });
    const x = Float32Array.from([-1.2, 1, -1.2, 1]);
    const next = new Float32Array(4);
    const grad = new Float32Array(4);
    const objective = tfArrayObjective((v) => tf.tidy(() => tf.sum(tf.square(tf.sub(v, 1))) as tf.Scalar), 4);
    const state = optimizer.init(x) as LbfgsArraysState;
    const vectors = (s: LbfgsArraysState) => new Set([...s.oldDirs, ...s.oldStps, s.spareY, s.spareS, s.d, s.prevGrad]);
    let warm = new Set<Float32Array>();
    for (let step = 0; step < 30; step++) {
      const loss = objective.valueAndGrad(x, step, grad);
      optimizer.update({ params: x, paramsOut: next, grad, loss, lr: 0.1, step, evaluate: () => assert.fail('no line search') }, state);
      x.set(next);
      if (step === 5) warm = vectors(state);
    }
    assert.equal(state.count, 3);
    assert.equal(warm.size, 3 * 2 + 4);
    assert.deepEqual(vectors(state), warm);
  });
});
