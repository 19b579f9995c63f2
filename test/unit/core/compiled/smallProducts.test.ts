import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { relativeError } from '../../../../src/core/compiled/agreement';
import { registerMemory } from '../../../../src/core/compiled/gemmKernels';
import { STANDALONE } from '../../../../src/core/compiled/standaloneKernels';
import { wasmVectorProduct } from '../../../../src/core/compiled/vectorProducts';
import { spread, useCpuBackend } from './compiledCheck';

/** The first element where a and b differ by Object.is (-0 and +0 differ), or -1. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  for (let e = 0; e < a.length; e++) if (!Object.is(a[e], b[e])) return e;
  return a.length === b.length ? -1 : a.length;
}

/** Copies of the arrays in one registered program memory (so batchMatMul may run them as WebAssembly). */
function inMemory(arrays: readonly Float32Array[]): Float32Array[] {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
  registerMemory(memory);
  let at = 0;
  return arrays.map((values) => {
    const view = new Float32Array(memory.buffer, at, values.length);
    view.set(values);
    at += 4 * values.length + 4;
    return view;
  });
}

/**
 * batchMatMul's small products (below the backend's size, in the program's JS): with k = 1 every element is
 * one product, so TensorFlow.js's cpu kernel (0 + a·b in float64, stored as float32) gives the exact bits,
 * -0 products included (0 + -0 is +0).
 */
describe('batchMatMul with k = 1 (a gradient\'s outer product), in JS and as WebAssembly: TensorFlow.js\'s bits', () => {
  useCpuBackend();

  for (const [transposeA, transposeB] of [[false, false], [false, true], [true, false], [true, true]]) {
    it(`[batches 1 and 3] m 7, n 5 and 64 × 64, transposeA ${transposeA}, transposeB ${transposeB}, with zeros and -0 products`, () => {
      for (const [batches, aBatches, bBatches, m, n] of [[1, 1, 1, 7, 5], [1, 1, 1, 64, 64], [1, 1, 1, 3, 3], [3, 3, 1, 7, 5], [3, 1, 3, 2, 9]]) {
        const a = Float32Array.from(spread(aBatches * m, 1));
        const b = Float32Array.from(spread(bBatches * n, 2));
        a[1] = -1;
        b[0] = 0;
        b[1] = -0;
        const expected = tf.tidy(() => {
          const left = tf.tensor3d(a, transposeA ? [aBatches, 1, m] : [aBatches, m, 1]);
          const right = tf.tensor3d(b, transposeB ? [bBatches, n, 1] : [bBatches, 1, n]);
          return tf.matMul(left, right, transposeA, transposeB).dataSync();
        });
        // Plain arrays take the JS loop; views of a registered program memory the WebAssembly one (vectorProducts.ts).
        for (const where of ['js', 'wasm']) {
          const [left, right, out] = where === 'js' ? [a, b, new Float32Array(batches * m * n)] : inMemory([a, b, new Float32Array(batches * m * n)]);
          out.fill(12345);
          STANDALONE.batchMatMul(left, right, out, batches, aBatches, bBatches, m, 1, n, transposeA, transposeB);
          const at = firstDifference(out, expected);
          assert.equal(at, -1, `${where}: batches ${batches} m ${m} n ${n}: element ${at} is ${out[at]}, TensorFlow.js ${expected[at]}`);
        }
      }
    });
  }
});

/**
 * batchMatMul's matrix–vector products (n = 1) over a program's memory run as WebAssembly
 * (vectorProducts.ts): the same bits as its JS loops (arrays outside any program memory), odd m and k
 * around the four-wide steps, zeros, -0 and a large and a tiny value, and near TensorFlow.js.
 */
describe('batchMatMul with n = 1 in a program\'s memory: WebAssembly with the JS loops\' bits', () => {
  useCpuBackend();

  for (const transposeA of [false, true]) {
    it(`a${transposeA ? 'ᵀ' : ''}·b for m 1-65 and k 1-67, batches 1 and 2 (a broadcast)`, () => {
      const memory = new WebAssembly.Memory({ initial: 4, maximum: 65536, shared: true });
      registerMemory(memory);
      for (const m of [1, 2, 3, 5, 8, 64, 65]) {
        for (const k of [1, 2, 3, 4, 5, 7, 8, 9, 64, 67]) {
          for (const [batches, aBatches, bBatches] of [[1, 1, 1], [2, 1, 2]]) {
            const a = Float32Array.from(spread(aBatches * m * k, 3));
            const b = Float32Array.from(spread(bBatches * k, 4));
            a[0] = -0;
            if (a.length > 2) a[2] = 3e30;
            if (b.length > 1) b[1] = -0;
            if (b.length > 2) b[2] = 1e-30;
            const js = new Float32Array(batches * m);
            STANDALONE.batchMatMul(a, b, js, batches, aBatches, bBatches, m, k, 1, transposeA, false);
            let at = 0;
            const take = (values: Float32Array) => {
              const view = new Float32Array(memory.buffer, at, values.length);
              view.set(values);
              at += 4 * values.length + 4;
              return view;
            };
            const [wa, wb, wout] = [take(a), take(b), take(new Float32Array(batches * m).fill(12345))];
            assert.ok(wasmVectorProduct(wa, 0, wb, 0, wout, 0, m, k, transposeA), 'the WebAssembly product applies');
            STANDALONE.batchMatMul(wa, wb, wout, batches, aBatches, bBatches, m, k, 1, transposeA, false);
            const e = firstDifference(wout, js);
            assert.equal(e, -1, `m ${m} k ${k} batches ${batches}: element ${e} is ${wout[e]}, JS ${js[e]}`);
            if (m * k < 8) continue;
            const expected = tf.tidy(() => tf.matMul(
              tf.tensor3d(a, transposeA ? [aBatches, k, m] : [aBatches, m, k]), tf.tensor3d(b, [bBatches, k, 1]), transposeA,
            ).dataSync() as Float32Array);
            // aᵀ·b's JS loop stores (rounds) every four rows' sum: float32 round-off over k terms.
            assert.ok(relativeError(wout, expected) <= (transposeA ? 1e-5 : 1e-6), `m ${m} k ${k}: ${relativeError(wout, expected)} relative to TensorFlow.js`);
          }
        }
      }
    });
  }
});
