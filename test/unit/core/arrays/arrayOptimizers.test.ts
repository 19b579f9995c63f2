import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import type { FlatObjective } from '../../../../src/core/curvature/hvp';
import { createOptimizer } from '../../../../src/core/optimizers/registry';
import { selectBackend } from '../../../../src/runner/backend';
import { runArrays, tfArrayObjective } from '../../helpers/arrayTrace';
import { COMBOS, ELEMENTWISE, arraysOf } from '../../helpers/elementwiseArrayCases';
import { quadraticObjective, runSecondOrder } from '../../helpers/runSecondOrder';
import { FIXTURE_FILES, loadTorchFixture, testFunctionFor, firstParityMismatch } from '../../helpers/torchFixtures';

/** The array path repeats the tensor path's float32 rounding, so they may differ by round-off at most. */
const SAME_AS_TENSOR_TOL = 1e-6;

const fixtures = FIXTURE_FILES.map(loadTorchFixture);
const torchCases = fixtures.flatMap((fixture) =>
  fixture.cases
    .filter((c) => (ELEMENTWISE as readonly string[]).includes(c.optimizer))
    .map((c) => ({ fixture, c, fn: testFunctionFor(fixture.function) })),
);

/** Largest |a − b| / max(1, |b|) over the two vectors (NaN anywhere gives NaN). */
function relativeGap(a: readonly number[], b: readonly number[]): number {
  return a.reduce((worst, ai, i) => {
    const gap = Math.abs(ai - b[i]) / Math.max(1, Math.abs(b[i]));
    return Number.isNaN(gap) || gap > worst ? gap : worst;
  }, 0);
}

/** A deterministic pseudo-random sequence in [−1, 1) (a 32-bit LCG). */
function pseudoRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  };
}

/**
 * f(x) = ½xᵀAx − bᵀx with A = MᵀM/n + ½I from pseudo-random M, except the last
 * coordinate, which f ignores: its gradient is exactly 0 at every step, the case
 * where eps = 0 meets a zero denominator (divideSafely's zero step).
 */
function randomQuadratic(n: number, seed: number): { f: FlatObjective; x0: number[] } {
  const rand = pseudoRandom(seed);
  const m = Array.from({ length: n }, () => Array.from({ length: n }, rand));
  const a = m.map((_, i) =>
    m.map((__, j) => (i === n - 1 || j === n - 1 ? 0 : m.reduce((s, row) => s + row[i] * row[j], 0) / n + (i === j ? 0.5 : 0))),
  );
  const b = Array.from({ length: n }, (_, i) => (i === n - 1 ? 0 : rand()));
  return { f: quadraticObjective(a, b), x0: Array.from({ length: n }, () => 2 * rand()) };
}

describe('elementwise optimizers on plain arrays', () => {
  before(async () => {
    // The tensor rules and the tf-evaluated objectives run on cpu, whose float32 rounding the array path mirrors.
    const choice = await selectBackend('cpu');
    assert.equal(choice.backend, 'cpu');
  });

  it('every elementwise optimizer has an array form', () => {
    for (const id of ELEMENTWISE) assert.equal(typeof createOptimizer(id).arrays?.update, 'function', id);
  });

  describe('pass the torch parity bar on every fixture case (200 steps)', () => {
    it('the fixtures cover all eight optimizers', () => {
      assert.deepEqual([...new Set(torchCases.map(({ c }) => c.optimizer))].sort(), [...ELEMENTWISE].sort());
      assert.ok(torchCases.some(({ c }) => c.maximize));
    });

    // 'always': the WebAssembly form, which 'auto' leaves to vectors larger than the fixtures'.
    for (const wasm of ['never', 'always'] as const) {
      for (const { fixture, c, fn } of torchCases) {
        it(`${fixture.function.name}/${c.name} (lr ${c.lr}, ${JSON.stringify(c.hp)}${c.maximize ? ', maximize' : ''}, wasm ${wasm})`, () => {
          const before = tf.memory().numTensors;
          // torch maximized −f: as in parity.test.ts, we minimise f (−(−f), exact in float32) and report −f.
          const trace = runArrays(arraysOf(c.optimizer, c.hp, wasm), tfArrayObjective(fn.f, fn.n), c.x0 ?? fixture.x0, c.lr, fixture.steps);
          const losses = c.maximize ? trace.losses.map((l) => -l) : trace.losses;
          assert.equal(losses.length, fixture.steps);
          assert.equal(firstParityMismatch(losses, c.losses), undefined, `${fixture.function.name}/${c.name}`);
          assert.equal(tf.memory().numTensors, before, 'tensors leaked');
        });
      }
    }
  });

  describe('agree with the tensor rule on cpu to the last bit: params at each of 50 steps on a pseudo-random quadratic', () => {
    const { f, x0 } = randomQuadratic(7, 12345);
    for (const id of ELEMENTWISE) {
      const { lr, hps } = COMBOS[id];
      for (const hp of hps) {
        it(`${id} ${JSON.stringify(hp)}`, () => {
          const before = tf.memory().numTensors;
          const arrays = runArrays(arraysOf(id, hp), tfArrayObjective(f, x0.length), x0, lr, 50);
          const tensor = runSecondOrder(createOptimizer(id, hp), f, x0, lr, 50);
          assert.equal(tf.memory().numTensors, before, 'tensors leaked');
          arrays.xs.forEach((x, k) => {
            const gap = relativeGap(x, tensor.xs[k]);
            assert.ok(gap <= SAME_AS_TENSOR_TOL, `step ${k}: params differ by ${gap}: ${x} vs ${tensor.xs[k]}`);
            // Stricter, and what the rounding emulation achieves on cpu: the same float32 values, so a
            // dropped or misplaced rounding (invisible at 1e-6) fails here.
            assert.deepEqual(x, tensor.xs[k], `step ${k}: not bit-identical (gap ${gap})`);
          });
          assert.ok(relativeGap(arrays.xs[49], x0) > 1e-3, 'the run should move');
          // Without weight decay the coordinate with zero gradient stays put (a zero step, not NaN, when eps = 0).
          if (createOptimizer(id, hp).hp.weight_decay === 0) assert.equal(arrays.xs[49][x0.length - 1], Math.fround(x0[x0.length - 1]));
        });
      }
    }
  });

  describe('return ‖paramsOut − params‖² as updateNormSq', () => {
    const { f, x0 } = randomQuadratic(5, 777);
    for (const id of ELEMENTWISE) {
      it(id, () => {
        const { lr, hps } = COMBOS[id];
        const trace = runArrays(arraysOf(id, hps[1]), tfArrayObjective(f, x0.length), x0, lr, 20);
        trace.updateNormSq.forEach((v, k) => {
          const measured = trace.measuredNormSq[k];
          assert.ok(Math.abs(v - measured) <= 1e-12 * measured, `step ${k}: ${v} vs ${measured}`);
        });
        assert.ok(trace.updateNormSq.every((v) => v > 0));
      });
    }
  });

  describe('read params and grad only, and keep their slot arrays across updates', () => {
    for (const id of ELEMENTWISE) {
      it(id, () => {
        const { lr, hps } = COMBOS[id];
        const optimizer = arraysOf(id, hps[1]);
        const params = Float32Array.from([0.5, -1.5, 2]);
        const grad = Float32Array.from([0.25, -3, 1e-3]);
        const paramsOut = new Float32Array(3);
        const state = optimizer.init(params) as Record<string, unknown>;
        const slotsOf = () => Object.values(state).filter((v) => v instanceof Float32Array);
        const slots = slotsOf();
        for (let step = 0; step < 3; step++) {
          const result = optimizer.update({ params, paramsOut, grad, loss: 1, lr, step, evaluate: () => assert.fail('not a line search') }, state);
          assert.equal(result.extraEvals, 0);
        }
        assert.deepEqual(Array.from(params), [0.5, -1.5, 2].map(Math.fround));
        assert.deepEqual(Array.from(grad), [0.25, -3, 1e-3].map(Math.fround));
        assert.ok(paramsOut.every((v, i) => v !== params[i]), 'every parameter moved');
        assert.ok(slots.length > 0);
        assert.deepEqual(slotsOf(), slots, 'same slot arrays');
        assert.equal(state.t, 3, "torch's step count");
      });
    }
  });
});
