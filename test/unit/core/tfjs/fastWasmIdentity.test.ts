import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { installFastWasmIdentity } from '../../../../src/core/tfjs/fastWasmIdentity';
import { expectNoLeak, forEachBackend } from '../../helpers/backends';

describe('wasm Identity that shares its input\'s data', () => {
  forEachBackend(() => {
    before(() => installFastWasmIdentity());

    it('a clone keeps its values after the original is disposed, and the original after the clone is', () => {
      const values = [1.5, -2, 0, 7, Number.NaN, -0];
      expectNoLeak(() => {
        const a = tf.tensor2d(values, [2, 3]);
        const b = tf.clone(a);
        assert.deepEqual(b.shape, [2, 3]);
        a.dispose();
        assert.ok(Array.from(b.dataSync()).every((v, i) => Object.is(v, Math.fround(values[i]))));
        const c = tf.clone(b);
        const d = tf.clone(c);
        c.dispose();
        b.dispose();
        assert.deepEqual(Array.from(d.dataSync()).map(String), values.map(String));
        d.dispose();
        const ints = tf.tensor1d([3, -4, 5], 'int32');
        const copy = tf.clone(ints);
        ints.dispose();
        assert.deepEqual(Array.from(copy.dataSync()), [3, -4, 5]);
        assert.equal(copy.dtype, 'int32');
        copy.dispose();
      });
    });

    it('gradients through clones and kept tensors are unchanged, leak-free', () => {
      const x = tf.tensor1d([0.5, -1, 2]);
      const g = expectNoLeak(() => {
        const grad = tf.grad((y: tf.Tensor) => tf.sum(tf.mul(tf.clone(y), tf.square(tf.clone(y)))))(x);
        const out = Array.from(grad.dataSync());
        grad.dispose();
        return out;
      });
      assert.deepEqual(g, [0.75, 3, 12]);
      x.dispose();
    });
  });
});
