import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../../src/runner/backend';

/**
 * The wasm backend's conv2d gradients as the backend's product with im2col (filter) or col2im (input)
 * (src/core/tfjs/fastWasmConvGradients.ts) against the cpu backend's kernels, over strides, paddings
 * (explicit, 'same' with odd and even totals, 'valid' with a remainder), channel counts and a batch.
 */
type Case = { x: [number, number, number, number]; f: [number, number, number, number]; strides: number | [number, number]; pad: 'same' | 'valid' | number };

const CASES: Case[] = [
  { x: [2, 7, 6, 1], f: [3, 3, 1, 4], strides: 1, pad: 'same' },
  { x: [3, 8, 8, 5], f: [3, 3, 5, 6], strides: 2, pad: 'same' },
  { x: [2, 9, 7, 3], f: [2, 3, 3, 2], strides: [2, 1], pad: 'valid' },
  { x: [1, 6, 6, 4], f: [3, 3, 4, 8], strides: 1, pad: 1 },
  { x: [2, 5, 5, 2], f: [5, 5, 2, 3], strides: 1, pad: 'same' },
  // The bench's second layer in small: stride 2 with one pixel on every side, 16 channels (4-wide runs).
  { x: [2, 6, 6, 16], f: [3, 3, 16, 8], strides: 2, pad: 1 },
  // 'valid' leaving a row and a column unread; 'same' padding only the bottom and right.
  { x: [1, 8, 7, 3], f: [3, 2, 3, 5], strides: [3, 2], pad: 'valid' },
  { x: [2, 6, 6, 2], f: [2, 2, 2, 3], strides: 2, pad: 'same' },
];

const valuesOf = (shape: number[], seed: number) => Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(seed + i * 0.61) * 1.5);

/** ∂/∂x and ∂/∂f of Σ conv(x, f) · w (w fixed), on the current backend. */
function gradients(c: Case): { dx: Float32Array; df: Float32Array } {
  return tf.tidy(() => {
    const x = tf.tensor4d(valuesOf(c.x, 1), c.x);
    const f = tf.tensor4d(valuesOf(c.f, 2), c.f);
    const weights = (y: tf.Tensor) => tf.tensor(valuesOf(y.shape, 3), y.shape);
    const [dx, df] = tf.grads((xx: tf.Tensor, ff: tf.Tensor) => {
      const y = tf.conv2d(xx as tf.Tensor4D, ff as tf.Tensor4D, c.strides, c.pad);
      return tf.sum(tf.mul(y, weights(y)));
    })([x, f]);
    return { dx: Float32Array.from(dx.dataSync()), df: Float32Array.from(df.dataSync()) };
  });
}

function assertNear(got: Float32Array, want: Float32Array, what: string): void {
  assert.equal(got.length, want.length, what);
  const scale = Math.max(1, ...Array.from(want, Math.abs));
  got.forEach((v, i) => assert.ok(Math.abs(v - want[i]) <= 1e-5 * scale, `${what}[${i}]: ${v} vs ${want[i]}`));
}

describe('wasm conv2d gradients as a product and a patch gather', () => {
  it('equal the cpu backend\'s gradients over strides, paddings and channels, leaving no tensor behind', async () => {
    await selectBackend('cpu');
    const expected = CASES.map(gradients);
    await selectBackend('wasm');
    // Installed (the kernels replaced are conv2DBackpropInput, the backend's, and conv2dBackpropFilter, wasmKernels.ts').
    assert.equal(tf.getKernel('Conv2DBackpropFilter', 'wasm')?.kernelFunc.name, 'filterGradient');
    assert.equal(tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc.name, 'inputGradient');
    const before = tf.memory().numTensors;
    CASES.forEach((c, k) => {
      const got = gradients(c);
      assertNear(got.df, expected[k].df, `case ${k} ∂/∂filter`);
      assertNear(got.dx, expected[k].dx, `case ${k} ∂/∂x`);
    });
    assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  });
});
