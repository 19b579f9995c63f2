import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { STANDALONE } from '../../../../src/core/compiled/standaloneKernels';
import { spread, useCpuBackend } from './compiledCheck';

/** The first element where a and b differ by Object.is (-0 and +0 differ), or -1. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  for (let e = 0; e < a.length; e++) if (!Object.is(a[e], b[e])) return e;
  return a.length === b.length ? -1 : a.length;
}

/**
 * batchMatMul's small products (below the backend's size, in the program's JS): with k = 1 every element is
 * one product, so TensorFlow.js's cpu kernel (0 + a·b in float64, stored as float32) gives the exact bits,
 * -0 products included (0 + -0 is +0).
 */
describe('batchMatMul with k = 1 (a gradient\'s outer product): TensorFlow.js\'s bits', () => {
  useCpuBackend();

  for (const [transposeA, transposeB] of [[false, false], [false, true], [true, false], [true, true]]) {
    it(`[batches 1 and 3] m 7, n 5 and 64 × 64, transposeA ${transposeA}, transposeB ${transposeB}, with zeros and -0 products`, () => {
      for (const [batches, aBatches, bBatches, m, n] of [[1, 1, 1, 7, 5], [1, 1, 1, 64, 64], [3, 3, 1, 7, 5], [3, 1, 3, 2, 9]]) {
        const a = Float32Array.from(spread(aBatches * m, 1));
        const b = Float32Array.from(spread(bBatches * n, 2));
        a[1] = -1;
        b[0] = 0;
        b[1] = -0;
        const out = new Float32Array(batches * m * n).fill(12345);
        STANDALONE.batchMatMul(a, b, out, batches, aBatches, bBatches, m, 1, n, transposeA, transposeB);
        const expected = tf.tidy(() => {
          const left = tf.tensor3d(a, transposeA ? [aBatches, 1, m] : [aBatches, m, 1]);
          const right = tf.tensor3d(b, transposeB ? [bBatches, n, 1] : [bBatches, 1, n]);
          return tf.matMul(left, right, transposeA, transposeB).dataSync();
        });
        const at = firstDifference(out, expected);
        assert.equal(at, -1, `batches ${batches} m ${m} n ${n}: element ${at} is ${out[at]}, TensorFlow.js ${expected[at]}`);
      }
    });
  }
});
