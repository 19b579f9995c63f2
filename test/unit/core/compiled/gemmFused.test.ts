import { strict as assert } from 'node:assert';
import { setFlagsFromString } from 'node:v8';
import * as tf from '@tensorflow/tfjs';
import { relativeError } from '../../../../src/core/compiled/agreement';
import { allowFusedProducts, fusedProducts, gemm, registerMemory } from '../../../../src/core/compiled/gemmKernels';
import { relaxedMaddFuses } from '../../../../src/core/wasm/relaxedSimd';
import { spread, useCpuBackend } from './compiledCheck';
import { fusedMultiplyAdd32 } from './fusedMultiplyAdd';

// As the runner's entry points do (src/runner/wasmFlags.ts): Node 20 has relaxed SIMD behind this flag.
setFlagsFromString('--experimental-wasm-relaxed-simd');

/** out = op(a)·b summed in index order, each term added to the float32 accumulator by `addTerm`. */
function reference(a: Float32Array, b: Float32Array, m: number, k: number, n: number, transA: boolean, addTerm: (x: number, y: number, acc: number) => number): Float32Array {
  const out = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) sum = addTerm(transA ? a[p * m + i] : a[i * k + p], b[p * n + j], sum);
      out[i * n + j] = sum;
    }
  }
  return out;
}

const fused = (x: number, y: number, acc: number) => fusedMultiplyAdd32(x, y, acc);
const unfused = (x: number, y: number, acc: number) => Math.fround(acc + Math.fround(x * y));

describe('fusedMultiplyAdd32: the test reference rounds a·b + c once', () => {
  it('gives the fused results where a rounded product or a float64 sum rounded again would not', () => {
    // (1 + 2⁻¹²)² − (1 + 2⁻¹¹): the product rounded first leaves 0.
    assert.equal(fusedMultiplyAdd32(1 + 2 ** -12, 1 + 2 ** -12, -(1 + 2 ** -11)), 2 ** -24);
    // 1 + 2⁻²³ + 2⁻²⁴ − 2⁻⁷⁰ is just below a float32 midpoint; its float64 rounding is the midpoint, which ties up.
    const b = 2 ** -24 * (1 - 2 ** -23);
    assert.equal(Math.fround((1 + 2 ** -23) * b + (1 + 2 ** -23)), 1 + 2 ** -22);
    assert.equal(fusedMultiplyAdd32(1 + 2 ** -23, b, 1 + 2 ** -23), 1 + 2 ** -23);
    assert.equal(fusedMultiplyAdd32(-(1 + 2 ** -23), b, -(1 + 2 ** -23)), -(1 + 2 ** -23));
  });
});

/**
 * Where relaxed_madd fuses (relaxedSimd.ts), the WebAssembly product adds each term with one rounding: every
 * element must be the index-order float32 sum of fused multiply-adds, bit for bit, in chunks of k and at the
 * block edges. The data is chosen so that the mul + add sums differ, so a kernel falling back to them fails.
 */
describe('gemm with the fused multiply-add kernel', () => {
  useCpuBackend();
  afterEach(() => allowFusedProducts(true));

  it('k = 1, 127, 128, 129, 300, 1,000 with m and n off the blocks, a transposed or not: the fused sums bit for bit', function () {
    if (!relaxedMaddFuses()) this.skip(); // no relaxed SIMD here, or relaxed_madd rounds twice on this CPU
    assert.ok(fusedProducts());
    const memory = new WebAssembly.Memory({ initial: 64, maximum: 65536, shared: true });
    registerMemory(memory);
    let differ = 0;
    for (const [m, k, n] of [[5, 1, 9], [7, 127, 12], [9, 128, 13], [6, 129, 64], [13, 300, 10], [4, 1000, 3], [3, 1000, 17], [7, 200, 5], [8, 129, 6], [4, 260, 7], [10, 150, 11], [5, 300, 14], [3, 129, 15], [2, 33, 36], [5, 40, 19], [7, 130, 28], [1, 3, 20]]) {
      for (const transA of [false, true]) {
        const a = new Float32Array(memory.buffer, 0, m * k);
        const b = new Float32Array(memory.buffer, 16 * Math.ceil(m * k / 4) + 16, k * n);
        const out = new Float32Array(memory.buffer, b.byteOffset + 16 * Math.ceil(k * n / 4) + 16, m * n);
        a.set(spread(m * k, 1));
        b.set(spread(k * n, 2));
        out.fill(12345);
        gemm(a, b, out, m, k, n, transA, false);
        const expected = reference(a, b, m, k, n, transA, fused);
        const at = out.findIndex((v, e) => !Object.is(v, expected[e]));
        assert.equal(at, -1, `m ${m} k ${k} n ${n} transA ${transA}: element ${at} is ${out[at]}, fused sums give ${expected[at]}`);
        const twice = reference(a, b, m, k, n, transA, unfused);
        differ += twice.filter((v, e) => !Object.is(v, expected[e])).length;
        const tfjs = tf.tidy(() => tf.matMul(tf.tensor2d(a, transA ? [k, m] : [m, k]), tf.tensor2d(b, [k, n]), transA).dataSync() as Float32Array);
        assert.ok(relativeError(out, tfjs) <= 1e-5, `against TensorFlow.js: ${relativeError(out, tfjs)}`);
        allowFusedProducts(false);
        gemm(a, b, out, m, k, n, transA, false);
        allowFusedProducts(true);
        assert.equal(out.findIndex((v, e) => !Object.is(v, twice[e])), -1, `m ${m} k ${k} n ${n}: the mul + add kernel when fused products are not allowed`);
      }
    }
    assert.ok(differ > 100, `only ${differ} elements tell the fused sums from mul + add`);
  });
});
