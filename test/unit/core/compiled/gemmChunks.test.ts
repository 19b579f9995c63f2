import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { relativeError } from '../../../../src/core/compiled/agreement';
import { allowFusedProducts, gemm, registerMemory } from '../../../../src/core/compiled/gemmKernels';
import { spread, useCpuBackend } from './compiledCheck';

/**
 * gemm takes a long k in chunks, each call adding onto out (gemmKernels.ts): every element must still be
 * the float32 sum in index order that one pass gives, a float32 product added to a float32 accumulator per p,
 * bit for bit, at k below, at and past the chunk and with lane tails in m and n. This is the mul + add kernel's
 * rounding: the fused kernel, where it runs, is held to its own in gemmFused.test.ts.
 */
describe('gemm: a long k in chunks gives the one-pass float32 sums bit for bit', () => {
  useCpuBackend();
  before(() => allowFusedProducts(false));
  after(() => allowFusedProducts(true));

  it('k = 1, 127, 128, 129, 300, 1,000 with m and n off the blocks (n with a tail of 1-3 columns from 3 to 17), a transposed or not', () => {
    const memory = new WebAssembly.Memory({ initial: 64, maximum: 65536, shared: true });
    registerMemory(memory);
    for (const [m, k, n] of [[5, 1, 9], [7, 127, 12], [9, 128, 13], [6, 129, 64], [13, 300, 10], [4, 1000, 3], [3, 1000, 17], [7, 200, 5], [8, 129, 6], [4, 260, 7], [10, 150, 11], [5, 300, 14], [3, 129, 15]]) {
      for (const transA of [false, true]) {
        let at = 0;
        const take = (count: number) => {
          const view = new Float32Array(memory.buffer, at, count);
          at += Math.ceil((4 * count) / 16) * 16 + 16;
          return view;
        };
        const a = take(m * k);
        const b = take(k * n);
        const out = take(m * n);
        a.set(spread(m * k, 1));
        b.set(spread(k * n, 2));
        out.fill(12345);
        // The 16 bytes past out (take leaves them): a block's tail writes only out's own columns.
        const past = new Float32Array(memory.buffer, out.byteOffset + 4 * m * n, 4).fill(-7);
        gemm(a, b, out, m, k, n, transA, false);
        assert.deepEqual(Array.from(past), [-7, -7, -7, -7], `m ${m} k ${k} n ${n}: nothing written past out`);
        const expected = new Float32Array(m * n);
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            let sum = 0;
            for (let p = 0; p < k; p++) sum = Math.fround(sum + Math.fround((transA ? a[p * m + i] : a[i * k + p]) * b[p * n + j]));
            expected[i * n + j] = sum;
          }
        }
        const at0 = out.findIndex((v, e) => !Object.is(v, expected[e]));
        assert.equal(at0, -1, `m ${m} k ${k} n ${n} transA ${transA}: element ${at0} is ${out[at0]}, one pass gives ${expected[at0]}`);
        const reference = tf.tidy(() => tf.matMul(tf.tensor2d(a, transA ? [k, m] : [m, k]), tf.tensor2d(b, [k, n]), transA).dataSync() as Float32Array);
        assert.ok(relativeError(out, reference) <= 1e-5, `against TensorFlow.js: ${relativeError(out, reference)}`);
      }
    }
  });
});
