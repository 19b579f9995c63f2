import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import type { HpRecord } from '../../../src/core/hyperparams';
import type { ParamShapes } from '../../../src/core/optimizer';
import { optimizerFactory } from '../../../src/core/optimizers/registry';

/** Gradient at the flat parameters for update k (plain numbers, for hand-derived tests). */
export type FlatGradient = (x: readonly number[], k: number) => number[];

/**
 * A rule's updates on an objective whose parameters have shapes (matrices and vectors, flat in order),
 * on tensors and, where the rule compiles for these shapes, compiled: the flat parameters after each
 * update. Reads back every step: for tests only. `compiled` is the reason when it does not compile.
 */
export function stepShaped(id: string, hp: HpRecord, shapes: ParamShapes, x0: readonly number[], gradAt: FlatGradient, lr: number | ((k: number) => number), steps: number): { tensors: number[][]; compiled: number[][] | string } {
  const lrAt = typeof lr === 'number' ? () => lr : lr;
  const optimizer = optimizerFactory(id).create(hp, shapes);
  let x = tf.tensor1d(Array.from(x0));
  let state = optimizer.init(x);
  const tensors: number[][] = [];
  for (let k = 0; k < steps; k++) {
    const grad = tf.tensor1d(gradAt(Array.from(x.dataSync()), k));
    const loss = tf.scalar(0);
    const r = optimizer.update({ params: x, loss, grad, lr: lrAt(k), step: k, evaluate: () => assert.fail(), hvp: () => assert.fail() }, state);
    tf.dispose([grad, loss, x]);
    x = r.params;
    state = r.state;
    tensors.push(Array.from(x.dataSync()));
  }
  optimizer.disposeState(state);
  x.dispose();
  const arrays = optimizer.arrays;
  if (!arrays) return { tensors, compiled: optimizer.arraysUnavailable ?? 'no reason given' };
  let flat = Float32Array.from(x0);
  const compiledState = arrays.init(flat);
  const compiled: number[][] = [];
  for (let k = 0; k < steps; k++) {
    const out = new Float32Array(flat.length);
    arrays.update({ params: flat, paramsOut: out, grad: Float32Array.from(gradAt(Array.from(flat), k)), loss: 0, lr: lrAt(k), step: k, evaluate: () => assert.fail() }, compiledState);
    compiled.push(Array.from(out));
    flat = out;
  }
  arrays.release?.(compiledState);
  return { tensors, compiled };
}

/** Asserts two flat parameter vectors agree elementwise within `rel` of max(1, |expected|). */
export function expectNear(actual: readonly number[], expected: readonly number[], rel: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  actual.forEach((a, i) => {
    const e = expected[i];
    assert.ok(Math.abs(a - e) <= rel * Math.max(1, Math.abs(e)), `${what}, element ${i}: got ${a}, expected ${e}`);
  });
}
