import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { installFastWasmSlice } from '../../../../src/core/tfjs/fastWasmSlice';
import { expectNoLeak, forEachBackend } from '../../helpers/backends';
import { isReplacedWasmKernel } from '../../../../src/core/tfjs/wasmKernelSwap';

describe('fast wasm Slice kernel', () => {
  forEachBackend((backend) => {
    before(() => installFastWasmSlice());

    it('slices 1-D, row blocks and non-contiguous blocks to the right values', () => {
      const values = Float32Array.from({ length: 60 }, (_, i) => i * 1.5 - 7);
      const x1 = tf.tensor1d(values);
      const x2 = tf.tensor2d(values, [6, 10]);
      const x3 = tf.tensor3d(values, [3, 4, 5]);
      expectNoLeak(() => {
        const cases: [tf.Tensor, number[]][] = [
          [tf.slice(x1, 1, 58), Array.from(values.subarray(1, 59))],
          [tf.slice(x1, 0, 60), Array.from(values)],
          [tf.slice(x2, [2, 0], [3, 10]), Array.from(values.subarray(20, 50))],
          [tf.slice(x2, [1, 3], [2, 4]), [13, 14, 15, 16, 23, 24, 25, 26].map((i) => values[i])],
          [tf.slice(x3, [1, 1, 0], [1, 2, 5]), Array.from(values.subarray(25, 35))],
          [tf.slice(x3, [0, 0, 1], [2, 1, 2]), [1, 2, 21, 22].map((i) => values[i])],
        ];
        for (const [t, expected] of cases) assert.deepEqual(Array.from(t.dataSync()), expected);
        tf.dispose(cases.map(([t]) => t));
      });
      tf.dispose([x1, x2, x3]);
    });

    it('gives the Rosenbrock gradient through slices, leak-free', () => {
      const x = tf.tensor1d([-1.2, 1, 0.5, 2]);
      const g = expectNoLeak(() => {
        const grad = tf.grad((y: tf.Tensor) => {
          const head = y.slice(0, 3);
          const tail = y.slice(1, 3);
          return tf.sum(tf.add(tf.mul(100, tf.square(tf.sub(tail, tf.square(head)))), tf.square(tf.sub(1, head))));
        })(x);
        const out = Array.from(grad.dataSync());
        grad.dispose();
        return out;
      });
      const xs = [-1.2, 1, 0.5, 2];
      const expected = xs.map((xi, i) => {
        let d = 0;
        if (i < 3) d += -400 * xi * (xs[i + 1] - xi * xi) - 2 * (1 - xi);
        if (i > 0) d += 200 * (xi - xs[i - 1] ** 2);
        return d;
      });
      g.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) <= 1e-4 * Math.max(1, Math.abs(expected[i])), `∂${i}: ${v} vs ${expected[i]}`));
      x.dispose();
    });

    if (backend === 'wasm') {
      it('replaces the stock wasm kernel', () => {
        assert.ok(isReplacedWasmKernel('Slice'));
      });
    }
  });
});
