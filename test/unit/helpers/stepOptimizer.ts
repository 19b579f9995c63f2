import * as tf from '@tensorflow/tfjs';
import type { Optimizer } from '../../../src/core/optimizer';

/** Gradient for update k at the current point (plain numbers, for hand-derived tests). */
export type GradientAt = (x: number[], k: number) => number[];

/** The gradient of f(x) = ½|x|²: g = x. */
export const identityGradient: GradientAt = (x) => x;

/**
 * Runs `steps` updates of `optimizer` from `x0` with a fixed lr and returns the
 * parameters after each update. Reads back every step: for tests only.
 */
export function stepOptimizer(optimizer: Optimizer, x0: number[], gradAt: GradientAt, lr: number, steps: number): number[][] {
  let x = tf.tensor1d(x0);
  let state = optimizer.init(x);
  const path: number[][] = [];
  for (let k = 0; k < steps; k++) {
    const grad = tf.tensor1d(gradAt(Array.from(x.dataSync()), k));
    const loss = tf.scalar(0);
    const result = optimizer.update(
      { params: x, loss, grad, lr, step: k, evaluate: unused, hvp: unused },
      state,
    );
    grad.dispose();
    loss.dispose();
    x.dispose();
    x = result.params;
    state = result.state;
    path.push(Array.from(x.dataSync()));
  }
  optimizer.disposeState(state);
  x.dispose();
  return path;
}

function unused(): never {
  throw new Error('first-order optimizers never call evaluate or hvp');
}

/** Asserts two vectors agree to a relative tolerance (float32 arithmetic). */
export function expectClose(actual: readonly number[], expected: readonly number[], rel = 1e-5): void {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`);
  actual.forEach((a, i) => {
    const e = expected[i];
    if (!(Math.abs(a - e) <= rel * Math.max(1, Math.abs(e)))) {
      throw new Error(`element ${i}: got ${a}, expected ${e} (all: [${actual.join(', ')}] vs [${expected.join(', ')}])`);
    }
  });
}
