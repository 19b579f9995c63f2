import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { multiplyAddsOf } from '../../../../src/core/compiled/multiplyAdds';
import { traceProgram } from '../../../../src/core/compiled/traceProgram';
import { valueGraph } from '../../../../src/core/compiled/valueGraph';
import { useCpuBackend } from './compiledCheck';

/**
 * multiplyAddsOf counts what a compiled value and gradient computes in its products and convolutions:
 * each expected figure below is worked out by hand from the shapes, not by the function.
 */

/** Multiply-adds of the value and the gradient with respect to p of `loss(p, data)`, as traced. */
function countOf(loss: (p: tf.Tensor1D, data: tf.Tensor) => tf.Scalar, parameters: number, data: tf.Tensor): number {
  const p = tf.zeros([parameters]);
  const valueAndGrad = tf.valueAndGrad((q: tf.Tensor) => loss(q as tf.Tensor1D, data));
  const { program } = traceProgram((q) => {
    const { value, grad } = valueAndGrad(q);
    return [value, grad];
  }, [p]);
  p.dispose();
  return multiplyAddsOf(valueGraph(program));
}

describe('multiplyAddsOf: the products and convolutions a compiled value and gradient runs', () => {
  useCpuBackend();

  it('two convolutions and a dense layer: forward, both gradients of the second, only the filter gradient of the first', () => {
    const images = tf.randomNormal([2, 5, 5, 3], 0, 1, 'float32', 1);
    // conv 3x3x3→4 'same' (stride 1) → relu → conv 3x3x4→5 stride 2 'same' → dense 45→2.
    const sizes = [3 * 3 * 3 * 4, 3 * 3 * 4 * 5, 45 * 2];
    const loss = (p: tf.Tensor1D, x: tf.Tensor) => {
      const [k1, k2, w] = tf.split(p, sizes);
      const h1 = tf.relu(tf.conv2d(x as tf.Tensor4D, k1.reshape([3, 3, 3, 4]) as tf.Tensor4D, 1, 'same'));
      const h2 = tf.relu(tf.conv2d(h1, k2.reshape([3, 3, 4, 5]) as tf.Tensor4D, 2, 'same'));
      return tf.sum(tf.square(tf.matMul(h2.reshape([2, 45]), w.reshape([45, 2])))) as tf.Scalar;
    };
    const count = countOf(loss, sizes.reduce((a, b) => a + b), images);
    images.dispose();
    // conv1: out 2·5·5·4 = 200 elements × 27 taps, forward and filter gradient (the images need no gradient).
    const conv1 = 200 * 27 * 2;
    // conv2: out 2·3·3·5 = 90 elements × 36, forward and both gradients.
    const conv2 = 90 * 36 * 3;
    // dense: out 2×2 × k 45; weight gradient 45×2 × k 2; input gradient 2×45 × k 2.
    const dense = 4 * 45 + 90 * 2 + 90 * 2;
    assert.equal(count, conv1 + conv2 + dense);
  });

  it('a transposed product counts its k from the transposed side; a depthwise convolution counts taps only', () => {
    const data = tf.randomNormal([6, 4], 0, 1, 'float32', 2);
    // aᵀ·b with a [6, 4] (the data) and b [6, 3] from p: out 4×3, k 6.
    const transposed = countOf((p, a) => tf.sum(tf.square(tf.matMul(a, p.reshape([6, 3]), true, false))) as tf.Scalar, 18, data);
    data.dispose();
    // Forward 12·6, b's gradient a·dy: 6×3 × k 4 (a's gradient is not needed).
    assert.equal(transposed, 12 * 6 + 18 * 4);

    const images = tf.randomNormal([1, 4, 4, 2], 0, 1, 'float32', 3);
    const depthwise = countOf((p, x) => tf.sum(tf.square(tf.depthwiseConv2d(x as tf.Tensor4D, p.reshape([3, 3, 2, 1]) as tf.Tensor4D, 1, 'valid'))) as tf.Scalar, 18, images);
    images.dispose();
    // out 1·2·2·2 = 8 elements × 9 taps, forward and filter gradient.
    assert.equal(depthwise, 8 * 9 * 2);
  });

  it('counts nothing for elementwise work, and leaves out a product no output reads', () => {
    const data = tf.randomNormal([3, 3], 0, 1, 'float32', 4);
    const unused = countOf((p, a) => {
      tf.matMul(a, p.reshape([3, 3]));
      return tf.sum(tf.square(p)) as tf.Scalar;
    }, 9, data);
    data.dispose();
    assert.equal(unused, 0);
  });
});
