import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { installFastWasmMatMul } from '../../../../src/core/tfjs/fastWasmMatMul';
import { heapMemoryOf } from '../../../../src/core/tfjs/wasmHeapMemory';
import { expectNoLeak, forEachBackend } from '../../helpers/backends';
import { isReplacedWasmKernel } from '../../../../src/core/tfjs/wasmKernelSwap';

/** C = op(A)·op(B) in float64, batch dims broadcast (a batch of 1 against any), for shapes [..., r, c]. */
function reference(a: tf.Tensor, b: tf.Tensor, transposeA: boolean, transposeB: boolean): { values: number[]; shape: number[] } {
  const av = a.dataSync();
  const bv = b.dataSync();
  const [ar, ac] = a.shape.slice(-2);
  const [br, bc] = b.shape.slice(-2);
  const [m, k] = transposeA ? [ac, ar] : [ar, ac];
  const n = transposeB ? br : bc;
  const batchA = av.length / (ar * ac);
  const batchB = bv.length / (br * bc);
  const batch = Math.max(batchA, batchB);
  const at = (v: ArrayLike<number>, base: number, cols: number, i: number, j: number, t: boolean) => (t ? v[base + j * cols + i] : v[base + i * cols + j]);
  const values: number[] = [];
  for (let s = 0; s < batch; s++) {
    const baseA = (batchA === 1 ? 0 : s) * ar * ac;
    const baseB = (batchB === 1 ? 0 : s) * br * bc;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < k; p++) sum += at(av, baseA, ac, i, p, transposeA) * at(bv, baseB, bc, p, j, transposeB);
        values.push(sum);
      }
    }
  }
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  return { values, shape: [...outer, m, n] };
}

const random = (shape: number[], seed: number) => {
  const size = shape.reduce((x, y) => x * y, 1);
  return tf.tensor(Float32Array.from({ length: size }, (_, i) => Math.sin(seed * 7.1 + i * 1.37) * 2), shape);
};

describe('fast wasm BatchMatMul kernel (our product on the heap, transposed operands)', () => {
  forEachBackend((backend) => {
    before(() => installFastWasmMatMul());

    it('multiplies every transpose combination, 2-D, batched and broadcast, to the float64 product', () => {
      const cases: [number[], number[], boolean, boolean][] = [
        [[37, 19], [19, 23], false, false],
        [[37, 19], [23, 19], false, true],
        [[19, 37], [19, 23], true, false],
        [[19, 37], [23, 19], true, true],
        [[3, 2, 9, 5], [3, 2, 7, 5], false, true],
        [[3, 2, 5, 9], [3, 2, 5, 7], true, false],
        [[4, 6, 5], [1, 7, 5], false, true],
        [[1, 5, 6], [4, 5, 7], true, false],
        // Our kernel's blockings: 2 × 16 (n ≥ 16), 4 × 8, ragged rows (n = 10, 5, 13), single columns (n < 4), k = 1.
        [[33, 40], [40, 48], false, false],
        [[7, 300], [300, 10], false, false],
        [[300, 7], [300, 5], true, false],
        [[9, 13], [13, 3], false, false],
        [[1, 1], [1, 1], false, false],
        [[5, 1], [13, 1], false, true],
        [[1, 33], [33, 17], false, false],
        // A single matrix against a batch of another rank.
        [[5, 6], [3, 6, 7], false, false],
      ];
      cases.forEach(([sa, sb, ta, tb], k) => {
        const a = random(sa, k);
        const b = random(sb, k + 0.5);
        const expected = reference(a, b, ta, tb);
        expectNoLeak(() => {
          const c = tf.matMul(a, b, ta, tb);
          assert.deepEqual(c.shape, expected.shape, `case ${k}`);
          const got = c.dataSync();
          expected.values.forEach((v, i) => assert.ok(Math.abs(got[i] - v) <= 1e-5 * Math.max(1, Math.abs(v)), `case ${k} [${i}]: ${got[i]} vs ${v}`));
          c.dispose();
        });
        tf.dispose([a, b]);
      });
    });

    it("gives a dense layer's gradients (products with transposed operands), leak-free", () => {
      const x = random([13, 6], 1);
      const w = random([6, 4], 2);
      const [gx, gw] = expectNoLeak(() => {
        const grads = tf.grads((xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.square(tf.matMul(xx, ww))))([x, w]);
        const out = grads.map((g) => Array.from(g.dataSync()));
        tf.dispose(grads);
        return out;
      });
      // d/dX sum((XW)²) = 2·XW·Wᵀ and d/dW = 2·Xᵀ·XW, in float64.
      const y = reference(x, w, false, false).values;
      const ys = tf.tensor(y, [13, 4]);
      const expectX = reference(ys, w, false, true).values.map((v) => 2 * v);
      const expectW = reference(x, ys, true, false).values.map((v) => 2 * v);
      ys.dispose();
      expectX.forEach((v, i) => assert.ok(Math.abs(gx[i] - v) <= 1e-4 * Math.max(1, Math.abs(v)), `dX[${i}]: ${gx[i]} vs ${v}`));
      expectW.forEach((v, i) => assert.ok(Math.abs(gw[i] - v) <= 1e-4 * Math.max(1, Math.abs(v)), `dW[${i}]: ${gw[i]} vs ${v}`));
      tf.dispose([x, w]);
    });

    if (backend === 'wasm') {
      it('replaces the stock wasm kernel', () => {
        assert.ok(isReplacedWasmKernel('BatchMatMul'));
      });

      it('gives the float64 product where its allocations grow the heap', () => {
        const memory = heapMemoryOf(tf.backend());
        assert.ok(memory, 'the backend\'s heap is found');
        // The output alone takes more than the whole heap now holds; b transposed (a temporary) first.
        const m = 64;
        const n = Math.ceil(memory.buffer.byteLength / (4 * m)) + 16;
        const [a, b] = [random([m, 3], 1), random([n, 3], 2)];
        const [av, bv] = [a.dataSync(), b.dataSync()];
        expectNoLeak(() => {
          const bytes = memory.buffer.byteLength;
          const c = tf.matMul(a, b, false, true);
          assert.ok(memory.buffer.byteLength > bytes, `the heap grew in the kernel (${bytes} bytes before)`);
          const got = c.dataSync();
          for (let i = 0; i < m; i += 7) {
            for (let j = 0; j < n; j += 997) {
              const want = av[3 * i] * bv[3 * j] + av[3 * i + 1] * bv[3 * j + 1] + av[3 * i + 2] * bv[3 * j + 2];
              assert.ok(Math.abs(got[i * n + j] - want) <= 1e-5 * Math.max(1, Math.abs(want)), `[${i}, ${j}]: ${got[i * n + j]} vs ${want}`);
            }
          }
          c.dispose();
        });
        tf.dispose([a, b]);
      });

      it('leaves int32 to the stock kernel', () => {
        const [a, b] = [tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32')];
        expectNoLeak(() => assert.throws(() => tf.engine().runKernel('BatchMatMul', { a, b }, { transposeA: false, transposeB: false }), /non-float32/));
        tf.dispose([a, b]);
      });
    }
  });
});
