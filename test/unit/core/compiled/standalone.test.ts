import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../../src/runner/backend';
import { ARITH_TOL, assertClose, compileAndRun, TRANSCENDENTAL_TOL, expectSameAsTfjs, spread, useCpuBackend, valueAndGrads, type TestInput } from './compiledCheck';

/**
 * Kernels compiled as calls (matMul, concat, softmax) and the losses built on
 * them, value and gradient, against TensorFlow.js.
 */
const input = (shape: number[], offset = 0): TestInput => ({ values: spread(shape.reduce((a, b) => a * b, 1), offset), shape });

/** Sums of products are ordered as tfjs orders them only up to round-off. */
const MATMUL_TOL = 1e-5;

describe('compiled programs: matMul, concat, softmax and losses match TensorFlow.js', () => {
  useCpuBackend();

  for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
    it(`matMul transposeA=${ta} transposeB=${tb}, value and both gradients`, () => {
      const a = input(ta ? [4, 3] : [3, 4], 1);
      const b = input(tb ? [5, 4] : [4, 5], 2);
      expectSameAsTfjs(valueAndGrads((x, y) => tf.matMul(x, y, ta, tb)), [a, b], MATMUL_TOL, 'matMul');
    });
  }

  it('batched matMul [2,3,4]·[2,4,2], value and gradients', () => {
    expectSameAsTfjs(valueAndGrads((x, y) => tf.matMul(x, y)), [input([2, 3, 4], 1), input([2, 4, 2], 3)], ARITH_TOL, 'batched');
  });

  it('batch broadcast: [2,3,4]·[4,2] and [3,4]·[2,4,2] (one side has no batch)', () => {
    // TensorFlow.js's BatchMatMul gradient does not reduce a broadcast batch (it throws): forward only.
    expectSameAsTfjs((x, y) => [tf.matMul(x, y)], [input([2, 3, 4], 1), input([4, 2], 3)], MATMUL_TOL, 'broadcast a');
    expectSameAsTfjs((x, y) => [tf.matMul(x, y)], [input([3, 4], 1), input([2, 4, 2], 3)], MATMUL_TOL, 'broadcast b');
  });

  it('matMul propagates Inf and NaN through zero entries as tfjs does (0 · Inf = NaN)', () => {
    const a: TestInput = { values: [0, 0, 1, 0, 2, 0], shape: [2, 3] };
    const b: TestInput = { values: [Infinity, 1, 2, NaN, 3, 4], shape: [3, 2] };
    for (const [ta, tb] of [[false, false], [false, true], [true, false]]) {
      const shapedA = ta ? { ...a, shape: [3, 2] } : a;
      const shapedB = tb ? { ...b, shape: [2, 3] } : b;
      expectSameAsTfjs((x, y) => [tf.matMul(x, y, ta, tb)], [shapedA, shapedB], MATMUL_TOL, `Inf/NaN ${ta} ${tb}`);
    }
  });

  it('a long inner dimension (k = 300) is summed in doubles (tfjs sums blocks of 48 in doubles), not in float32 partial sums', () => {
    const a = Float32Array.from({ length: 600 }, (_, i) => 1 + 1e-3 * Math.sin(i));
    const b = Float32Array.from({ length: 900 }, (_, i) => 1 - 1e-3 * Math.cos(i));
    const { actual, expected } = compileAndRun((x, y) => [tf.matMul(x, y)], [{ values: [...a], shape: [2, 300] }, { values: [...b], shape: [300, 3] }]);
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 3; j++) {
        let exact = 0;
        for (let p = 0; p < 300; p++) exact += a[i * 300 + p] * b[p * 3 + j];
        assert.equal(actual[0][i * 3 + j], Math.fround(exact), `[${i},${j}]`);
      }
    }
    assertClose(actual[0], expected[0], 3e-7, 'long k against tfjs');
  });

  it('matMul of a transposed view and of an elementwise result (inputs materialised)', () => {
    const op = (x: tf.Tensor, y: tf.Tensor) => tf.matMul(tf.tanh(tf.transpose(x)), tf.mul(y, 2));
    expectSameAsTfjs(valueAndGrads(op), [input([4, 3], 1), input([4, 2], 5)], MATMUL_TOL, 'view operands');
  });

  it('a dense layer: relu(x·W + b), mean squared error against targets', () => {
    const loss = (w: tf.Tensor, b: tf.Tensor, x: tf.Tensor, y: tf.Tensor) => tf.mean(tf.square(tf.sub(tf.relu(tf.add(tf.matMul(x, w), b)), y)));
    expectSameAsTfjs(valueAndGrads(loss, 2), [input([3, 2], 1), input([2], 4), input([5, 3], 7), input([5, 2], 9)], MATMUL_TOL, 'dense');
  });

  for (const axis of [0, 1]) {
    it(`concat along axis ${axis}, value and gradients (a slice each)`, () => {
      const op = (x: tf.Tensor, y: tf.Tensor) => tf.mul(tf.concat([x, tf.exp(y), x], axis), 2);
      const other = axis === 0 ? input([1, 3], 3) : input([2, 2], 3);
      expectSameAsTfjs(valueAndGrads(op), [input([2, 3], 1), other], TRANSCENDENTAL_TOL, `concat ${axis}`);
    });
  }

  it('concat of 1-D tensors (tf.stack-free flattening of parameters)', () => {
    const op = (x: tf.Tensor, y: tf.Tensor) => tf.square(tf.concat([y, x, y]));
    expectSameAsTfjs(valueAndGrads(op), [input([4], 1), input([2], 2)], ARITH_TOL, 'concat 1-D');
  });

  it('softmax over the last axis, value and gradient', () => {
    expectSameAsTfjs(valueAndGrads((x) => tf.softmax(x)), [input([3, 5], 1)], TRANSCENDENTAL_TOL, 'softmax');
  });

  it('softmax of large logits (the row maximum is subtracted)', () => {
    expectSameAsTfjs(valueAndGrads((x) => tf.softmax(tf.mul(x, 60))), [input([2, 4], 1)], TRANSCENDENTAL_TOL, 'softmax large');
  });

  it('logSoftmax, value and gradient', () => {
    expectSameAsTfjs(valueAndGrads((x) => tf.logSoftmax(x)), [input([3, 5], 2)], TRANSCENDENTAL_TOL, 'logSoftmax');
  });

  it('tf.losses.softmaxCrossEntropy with one-hot labels, value and gradient', () => {
    const labels: TestInput = { values: [0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0], shape: [3, 4] };
    const loss = (logits: tf.Tensor, onehot: tf.Tensor) => tf.losses.softmaxCrossEntropy(onehot, logits);
    expectSameAsTfjs(valueAndGrads(loss, 1), [input([3, 4], 3), labels], TRANSCENDENTAL_TOL, 'softmaxCrossEntropy');
  });

  it('softmax cross-entropy from int32 labels through tf.oneHot', () => {
    const loss = (logits: tf.Tensor, labels: tf.Tensor) => tf.losses.softmaxCrossEntropy(tf.oneHot(labels as tf.Tensor1D, 4), logits);
    expectSameAsTfjs(valueAndGrads(loss, 1), [input([3, 4], 3), { values: [2, 0, 3], shape: [3], dtype: 'int32' }], TRANSCENDENTAL_TOL, 'oneHot');
  });

  it('sigmoid cross-entropy and log-sum-exp', () => {
    const loss = (logits: tf.Tensor, labels: tf.Tensor) => tf.add(tf.losses.sigmoidCrossEntropy(labels, logits), tf.sum(tf.logSumExp(logits, 1)));
    expectSameAsTfjs(valueAndGrads(loss, 1), [input([3, 4], 3), { values: [0, 1, 0, 1, 1, 1, 0, 0, 1, 0, 0, 1], shape: [3, 4] }], TRANSCENDENTAL_TOL, 'sigmoidCE');
  });
});

describe('compiled programs: large matMuls on the wasm backend (handed to its kernel)', () => {
  before(async () => {
    const choice = await selectBackend('wasm');
    if (choice.backend !== 'wasm') throw new Error('could not switch to wasm');
  });
  after(async () => {
    await tf.setBackend('cpu');
  });

  for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
    it(`[2,48,40]·[40,36] (≥ 65,536 multiply-adds) transposeA=${ta} transposeB=${tb}, value and gradient`, () => {
      const a = input(ta ? [2, 40, 48] : [2, 48, 40], 1);
      const b = input(tb ? [36, 40] : [40, 36], 2);
      expectSameAsTfjs(valueAndGrads((x, y) => tf.matMul(x, y, ta, tb), 1), [a, b], MATMUL_TOL, 'wasm matMul');
    });
  }
});
