import { strict as assert } from 'node:assert';
import type { HpRecord } from '../../../src/core/hyperparams';
import type { Optimizer, OptimizerFactory } from '../../../src/core/optimizer';
import { expectClose, stepOptimizer, type GradientAt } from './stepOptimizer';

/**
 * stepOptimizer's twin for an optimizer's compiled form (`optimizer.arrays`): `steps` updates from `x0`
 * at a fixed lr, the parameters after each. Fails when the optimizer does not compile.
 */
export function stepCompiled(optimizer: Optimizer, x0: number[], gradAt: GradientAt, lr: number, steps: number): number[][] {
  const arrays = optimizer.arrays;
  assert.ok(arrays, `does not compile: ${optimizer.arraysUnavailable ?? '?'}`);
  let x = Float32Array.from(x0);
  const state = arrays.init(x);
  const path: number[][] = [];
  for (let k = 0; k < steps; k++) {
    const grad = Float32Array.from(gradAt(Array.from(x), k));
    const out = new Float32Array(x.length);
    arrays.update({ params: x, paramsOut: out, grad, loss: 0, lr, step: k, evaluate: () => assert.fail('first-order rules never evaluate') }, state);
    x = out;
    path.push(Array.from(x));
  }
  arrays.release?.(state);
  return path;
}

/** The same run on tensors and compiled, labelled. */
export function stepBothForms(factory: OptimizerFactory, hp: HpRecord, x0: number[], gradAt: GradientAt, lr: number, steps: number): [string, number[][]][] {
  return [
    ['tensors', stepOptimizer(factory.create(hp), x0, gradAt, lr, steps)],
    ['compiled', stepCompiled(factory.create(hp), x0, gradAt, lr, steps)],
  ];
}

/** Every step within `rel` (float32 rounding) of a float64 derivation; the message names the form and the step. */
export function expectPath(how: string, path: number[][], expected: number[][], rel = 1e-6): void {
  assert.equal(path.length, expected.length);
  path.forEach((x, k) => assert.doesNotThrow(() => expectClose(x, expected[k], rel), `${how}, step ${k + 1}`));
}

/**
 * An elementwise rule updates a matrix parameter as it updates the same numbers in a vector: the same
 * steps for a 2×3 matrix (the rule sees that shape) and for the vector of its six entries, bit for bit.
 */
export function expectMatrixAsVector(factory: OptimizerFactory, hp: HpRecord, gradAt: GradientAt, lr: number, steps: number): void {
  const x0 = [1, -2, 0.5, 3, -0.25, 0];
  const matrix = stepOptimizer(factory.create(hp, [{ name: 'w', shape: [2, 3] }]), x0, gradAt, lr, steps);
  const vector = stepOptimizer(factory.create(hp), x0, gradAt, lr, steps);
  assert.deepEqual(matrix, vector);
  assert.notDeepEqual(matrix[steps - 1], x0, 'the run moves');
}
