import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { relativeError } from '../../../../src/core/compiled/agreement';
import { compileProgram } from '../../../../src/core/compiled/compileProgram';
import { traceProgram } from '../../../../src/core/compiled/traceProgram';
import { assertClose, spread, useCpuBackend, valueAndGrads } from './compiledCheck';

/**
 * Max and average pooling compiled (poolKernels.ts) against TensorFlow.js's cpu kernels: the value
 * and the gradient with respect to the input, for window sizes, strides and paddings, with ties
 * (the first maximum of a window gets the gradient) and windows over the image's edge.
 */
type Pad = 'same' | 'valid' | number;
interface Case {
  readonly x: [number, number, number, number];
  readonly filter: number | [number, number];
  readonly strides: number | [number, number];
  readonly pad: Pad;
}

/** Float64 sums of a few float32 numbers rounded once: the same as tfjs but for the order of the sums. */
const POOL_TOL = 1e-6;

/** Traces fn on x, compiles it with and without WebAssembly loops, and compares every output with TensorFlow.js's. */
function expectPoolAgrees(fn: (x: tf.Tensor) => tf.Tensor[], values: readonly number[], shape: readonly number[], what: string): string[] {
  const x = tf.tensor(values as number[], [...shape]);
  const before = tf.memory().numTensors;
  try {
    const { program, results } = traceProgram(fn, [x]);
    assert.equal(tf.memory().numTensors, before, `${what}: tensors leaked`);
    for (const wasm of [true, false]) {
      const compiled = compileProgram(program, { wasm });
      const actual = compiled.outputSizes.map((n) => new Float32Array(n).fill(12345));
      compiled.run([Float32Array.from(values)], actual);
      results.forEach((expected, k) => assertClose(actual[k], expected, POOL_TOL, `${what} (${wasm ? 'wasm' : 'js'}) output ${k}`));
    }
    return program.nodes.map((n) => n.kernel);
  } finally {
    x.dispose();
  }
}

const CASES: Case[] = [
  { x: [2, 6, 6, 3], filter: 2, strides: 2, pad: 'valid' },
  // Odd size, 'same': the last windows hang over the edge.
  { x: [2, 7, 5, 2], filter: 3, strides: 2, pad: 'same' },
  { x: [1, 5, 6, 4], filter: [2, 3], strides: [1, 2], pad: 'same' },
  // Overlapping windows (an element is the maximum of several).
  { x: [3, 6, 6, 1], filter: 3, strides: 1, pad: 'valid' },
  // Explicit padding of one on every side.
  { x: [2, 5, 5, 2], filter: 3, strides: 2, pad: 1 },
];

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

describe('compiled programs: max and average pooling and their gradients match TensorFlow.js', () => {
  useCpuBackend();

  for (const c of CASES) {
    const what = `x [${c.x}] filter ${JSON.stringify(c.filter)} strides ${JSON.stringify(c.strides)} pad ${JSON.stringify(c.pad)}`;
    it(`${what}: max pool value and ∂/∂x`, () => {
      const pool = (x: tf.Tensor) => tf.maxPool(x as tf.Tensor4D, c.filter, c.strides, c.pad);
      const kernels = expectPoolAgrees(valueAndGrads(pool), spread(size(c.x), 1), c.x, `max ${what}`);
      assert.ok(kernels.includes('MaxPool') && kernels.includes('MaxPoolGrad'), kernels.join(' '));
    });
    it(`${what}: average pool value and ∂/∂x`, () => {
      const pool = (x: tf.Tensor) => tf.avgPool(x as tf.Tensor4D, c.filter, c.strides, c.pad);
      const kernels = expectPoolAgrees(valueAndGrads(pool), spread(size(c.x), 1), c.x, `avg ${what}`);
      assert.ok(kernels.includes('AvgPool') && kernels.includes('AvgPoolGrad'), kernels.join(' '));
    });
  }

  it('ties: the first largest element of a window (in row order) takes the whole gradient, as in tfjs', () => {
    // Values in {−1, 0, 1}: most windows hold their maximum two or more times.
    const shape = [2, 6, 6, 2];
    const values = spread(size(shape), 4).map((v) => Math.round(v / 2));
    const pool = (x: tf.Tensor) => tf.maxPool(x as tf.Tensor4D, 3, 1, 'same');
    expectPoolAgrees(valueAndGrads(pool), values, shape, 'ties');
    const x = tf.tensor(values, shape);
    const grad = tf.grad((t: tf.Tensor) => tf.sum(tf.maxPool(t as tf.Tensor4D, 3, 1, 'same')))(x);
    // Some element is the first maximum of several windows: the compiled sum of them is compared above.
    assert.ok(grad.max().dataSync()[0] >= 2);
    tf.dispose([x, grad]);
  });

  it('pooling after a convolution and relu, into a loss (the shapes a CNN traces), value and both gradients', () => {
    const net = (x: tf.Tensor, f: tf.Tensor) => {
      const h = tf.relu(tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'same'));
      return tf.sum(tf.square(tf.avgPool(tf.maxPool(h, 2, 2, 'valid'), 2, 1, 'same')));
    };
    const xShape = [2, 8, 8, 1];
    const fShape = [3, 3, 1, 4];
    const inputs = [spread(size(xShape), 1), spread(size(fShape), 2)];
    const tensors = [tf.tensor(inputs[0], xShape), tf.tensor(inputs[1], fShape)];
    try {
      const { program, results } = traceProgram((a, b) => [net(a, b), ...tf.grads(net)([a, b])], tensors);
      const compiled = compileProgram(program);
      const actual = compiled.outputSizes.map((n) => new Float32Array(n));
      compiled.run(inputs.map((v) => Float32Array.from(v)), actual);
      // The convolution's sums run in another order than tfjs's: one scale per output, as conv.test.ts holds them.
      results.forEach((expected, k) => assert.ok(relativeError(actual[k], expected) <= 1e-5, `output ${k}: ${relativeError(actual[k], expected)}`));
    } finally {
      tf.dispose(tensors);
    }
  });
});
