import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import type { Optimizer, OptimizerState } from '../../../../src/core/optimizer';
import { createOptimizer } from '../../../../src/core/optimizers/registry';
import { preconditionedSharpness } from '../../../../src/core/curvature/preconditionedSharpness';
import type { ArrayOperator } from '../../../../src/core/curvature/hvp';
import { selectBackend } from '../../../../src/runner/backend';

/** Runs the optimizer's tensor form on f(x) = ½λx² from x = 1; the last |x|. */
function finalDistance(optimizer: Optimizer, lambda: number, lr: number, steps: number): number {
  let x = tf.tensor1d([1]);
  let state: OptimizerState = optimizer.init(x);
  const evaluate = (p: tf.Tensor1D) => tf.tidy(() => ({ loss: tf.mul(0.5 * lambda, tf.sum(tf.square(p))) as tf.Scalar, grad: tf.mul(lambda, p) as tf.Tensor1D }));
  for (let step = 0; step < steps; step++) {
    const { loss, grad } = evaluate(x);
    const result = optimizer.update({ params: x, loss, grad, lr, step, evaluate, hvp: (_, v) => tf.tidy(() => tf.mul(lambda, v)) }, state);
    loss.dispose();
    grad.dispose();
    x.dispose();
    x = result.params;
    state = result.state;
  }
  const distance = Math.abs(x.dataSync()[0]);
  x.dispose();
  optimizer.disposeState(state as never);
  return distance;
}

describe('edge of stability of the rules (OptimizerRule.stability)', () => {
  // On the cpu backend, whatever other test files registered (the wasm backend is registered on import).
  before(async () => {
    await selectBackend('cpu');
  });

  const lr = 0.1;
  const cases: [string, Record<string, number | boolean>][] = [
    ['gradient descent', {}],
    ['heavy ball μ = 0.9', { momentum: 0.9 }],
    ['heavy ball μ = 0.5, dampening 0.3', { momentum: 0.5, dampening: 0.3 }],
    ['Nesterov μ = 0.9', { momentum: 0.9, nesterov: true }],
    ['gradient descent with weight decay 0.5', { weight_decay: 0.5 }],
  ];
  for (const [label, hp] of cases) {
    it(`sgd (${label}): bounded just below the limit, diverging just above it`, () => {
      const before = tf.memory().numTensors;
      const optimizer = createOptimizer('sgd', hp);
      const limit = optimizer.stability?.sharpnessLimit(lr) as number;
      assert.ok(limit > 0, `limit ${limit}`);
      assert.ok(finalDistance(optimizer, 0.97 * limit, lr, 600) < 1, 'below the limit the iterate stays bounded');
      // Past the edge it grows (to Infinity and NaN within the 600 steps, when fast).
      assert.ok(!(finalDistance(optimizer, 1.03 * limit, lr, 600) < 10), 'above it the iterate grows');
      assert.equal(tf.memory().numTensors, before);
    });
  }

  it('adam: limit (2 + 2β₁)/((1 − β₁)lr) on P⁻¹H with P = (1 − β₁ᵗ)(√v̂ + ε) from its state, on both forms', () => {
    const optimizer = createOptimizer('adam', { betas: [0.8, 0.99], eps: 1e-3 });
    assert.ok(Math.abs((optimizer.stability?.sharpnessLimit(0.01) as number) - 3.6 / 0.2 / 0.01) < 1e-9);
    assert.equal(optimizer.stability?.preconditioned, true);
    const grads = [[1, -2, 0.5], [0.3, 1, -1]];
    // By hand: v after two updates, bias-corrected, then P.
    const v = [0, 1, 2].map((i) => 0.99 * (0.01 * grads[0][i] ** 2) + 0.01 * grads[1][i] ** 2);
    const expected = v.map((vi) => (1 - 0.8 ** 2) * (Math.sqrt(vi / (1 - 0.99 ** 2)) + 1e-3));
    const before = tf.memory().numTensors;
    let x = tf.tensor1d([1, 1, 1]);
    let state = optimizer.init(x);
    assert.equal(optimizer.stability?.preconditioner?.(state, 0.01), undefined, 'no P before the first update');
    const arrays = optimizer.arrays;
    const arrayState = arrays?.init(new Float32Array([1, 1, 1]));
    let arrayX = new Float32Array([1, 1, 1]);
    for (const [step, g] of grads.entries()) {
      const grad = tf.tensor1d(g);
      const loss = tf.scalar(0);
      const result = optimizer.update({ params: x, loss, grad, lr: 0.01, step, evaluate: () => { throw new Error('unused'); }, hvp: () => { throw new Error('unused'); } }, state);
      tf.dispose([grad, loss, x]);
      x = result.params;
      state = result.state;
      if (arrays) {
        const out = new Float32Array(3);
        arrays.update({ params: arrayX, paramsOut: out, grad: Float32Array.from(g), loss: 0, lr: 0.01, step, evaluate: () => 0 }, arrayState);
        arrayX = out;
      }
    }
    const p = optimizer.stability?.preconditioner?.(state, 0.01) as Float32Array;
    expected.forEach((e, i) => assert.ok(Math.abs(p[i] - e) < 1e-5 * e, `P[${i}] ${p[i]} vs ${e}`));
    assert.ok(arrays?.preconditioner, 'the compiled form reads P too');
    const q = arrays.preconditioner(arrayState, 0.01) as Float32Array;
    expected.forEach((e, i) => assert.ok(Math.abs(q[i] - e) < 1e-5 * e, `compiled P[${i}] ${q[i]} vs ${e}`));
    arrays.release?.(arrayState);
    x.dispose();
    optimizer.disposeState(state as never);
    assert.equal(tf.memory().numTensors, before);
  });

  it('adam with an L2 penalty, and rules without a stability field, report no limit', () => {
    assert.equal(createOptimizer('adam', { weight_decay: 0.1 }).stability?.sharpnessLimit(0.01), undefined);
    assert.equal(createOptimizer('lion').stability, undefined);
  });

  it('preconditionedSharpness: λmax(P⁻¹H) = max hᵢ/pᵢ for diagonal H', () => {
    const h = [4, 1, 9, -2, 0.5];
    const p = new Float32Array([2, 0.1, 9, 1, 0.05]);
    const apply: ArrayOperator = (v, out) => h.forEach((hi, i) => (out[i] = hi * v[i]));
    const r = preconditionedSharpness(apply, p);
    assert.ok(Math.abs(r.lambdaMax - 10) < 1e-4, `λmax ${r.lambdaMax}`);
    assert.ok(r.residual < 1e-3);
    assert.throws(() => preconditionedSharpness(apply, new Float32Array([1, 0, 1, 1, 1])), /entry 1 is 0/);
  });
});
