import { strict as assert } from 'node:assert';
import { allowFusedProducts, gemm, registerMemory } from '../../../../src/core/compiled/gemmKernels';
import { spread } from './compiledCheck';

/**
 * gemm's epilogue (gemmWasm.ts: a convolution's bias and relu applied before the last chunk of k stores):
 * out = relu(a·b + bias) must be the product's float32 values, then fround(x + bias[j]), then x < 0 ? 0 : x,
 * bit for bit, for every kind of block (full vectors, a row's tail, single columns, ragged rows), a k past
 * the chunk (the epilogue once, at the end) and a transposed a; NaN in the bias stays NaN through the relu.
 */
describe('gemm: the bias and relu epilogue gives the loops\' float32 steps bit for bit', () => {
  for (const fused of [false, true]) {
    it(`${fused ? 'fused multiply-add' : 'mul + add'} kernel: n from 3 to 33, k = 1, 9, 128, 129, 300`, () => {
      allowFusedProducts(fused);
      try {
        const memory = new WebAssembly.Memory({ initial: 64, maximum: 65536, shared: true });
        registerMemory(memory);
        for (const [m, k, n] of [[5, 9, 3], [7, 129, 10], [3, 300, 16], [6, 1, 19], [9, 128, 32], [4, 9, 33], [2, 129, 7], [5, 300, 12]]) {
          for (const transA of [false, true]) {
            for (const [withBias, relu] of [[true, true], [true, false], [false, true]]) {
              let at = 0;
              const take = (count: number) => {
                const view = new Float32Array(memory.buffer, at, count);
                at += Math.ceil((4 * count) / 16) * 16 + 16;
                return view;
              };
              const a = take(m * k).fill(0);
              const b = take(k * n);
              const bias = take(n);
              const plain = take(m * n);
              const out = take(m * n);
              a.set(spread(m * k, 1));
              b.set(spread(k * n, 2));
              bias.set(spread(n, 3).map((v, j) => (j === 1 ? Number.NaN : 40 * v)));
              gemm(a, b, plain, m, k, n, transA, false);
              const past = new Float32Array(memory.buffer, out.byteOffset + 4 * m * n, 4).fill(-7);
              gemm(a, b, out, m, k, n, transA, false, { bias: withBias ? bias : undefined, relu });
              assert.deepEqual(Array.from(past), [-7, -7, -7, -7], 'nothing written past out');
              const what = `m ${m} k ${k} n ${n} transA ${transA} bias ${withBias} relu ${relu}`;
              let negatives = 0;
              for (let e = 0; e < m * n; e++) {
                const x = withBias ? Math.fround(plain[e] + bias[e % n]) : plain[e];
                if (x < 0) negatives++;
                const expected = relu && x < 0 ? 0 : x;
                assert.ok(Object.is(out[e], expected), `${what}: element ${e} is ${out[e]}, the steps give ${expected}`);
              }
              assert.ok(negatives > 0 && negatives < m * n, `${what}: the relu has both sides to choose from`);
            }
          }
        }
      } finally {
        allowFusedProducts(true);
      }
    });
  }
});
