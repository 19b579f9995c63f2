import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { compileProgram } from '../../../../src/core/compiled/compileProgram';
import { traceProgram } from '../../../../src/core/compiled/traceProgram';
import { relativeError } from '../../../../src/core/compiled/agreement';
import { spread, useCpuBackend, valueAndGrads } from './compiledCheck';

/**
 * A convolution's bias and relu computed by its product (convEpilogues.ts, gemmWasm.ts): the layer's output
 * must be the bits the separate loop gave, which the same program shows when the convolution's output is
 * also returned (then nothing may absorb the Add and Relu); the call is the layer's only step; TensorFlow.js's values and
 * gradients through it.
 */
type Layer = (x: tf.Tensor, f: tf.Tensor, b: tf.Tensor) => tf.Tensor;
const conv = (x: tf.Tensor, f: tf.Tensor, stride: number, pad: 'same' | number) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, stride, pad);
const LAYERS: [string, Layer, Layer][] = [
  // name, the layer, the same with the convolution's output (what the epilogue starts from) exposed
  ['relu(conv + b), same', (x, f, b) => tf.relu(tf.add(conv(x, f, 1, 'same'), b)), (x, f) => conv(x, f, 1, 'same')],
  ['relu(b + conv), stride 2, pad 1', (x, f, b) => tf.relu(tf.add(b, conv(x, f, 2, 1))), (x, f) => conv(x, f, 2, 1)],
  ['conv + b, no relu', (x, f, b) => tf.add(conv(x, f, 1, 'same'), b), (x, f) => conv(x, f, 1, 'same')],
  ['relu(conv), no bias', (x, f) => tf.relu(conv(x, f, 1, 'same')), (x, f) => conv(x, f, 1, 'same')],
];
const SHAPES = { x: [2, 7, 6, 5], f: [3, 3, 5, 12], b: [12] };
/** conv.test.ts' tolerance: float32 sums of 45 terms in another order than tfjs's, relative to the output's norm. */
const CONV_TOL = 1e-5;
const expectClose = (actual: Float32Array, expected: Float32Array, what: string) => {
  const error = relativeError(actual, expected);
  assert.ok(error <= CONV_TOL, `${what}: ${error.toExponential(2)} relative to TensorFlow.js`);
};

function compiled(fn: (...t: tf.Tensor[]) => tf.Tensor[], wasm: boolean) {
  const values = [spread(2 * 7 * 6 * 5, 1), spread(3 * 3 * 5 * 12, 2).map((v) => 0.3 * v), spread(12, 3).map((v) => 2 * v)];
  const tensors = values.map((v, k) => tf.tensor(v, Object.values(SHAPES)[k]));
  try {
    const { program, results } = traceProgram(fn, tensors);
    const compiledProgram = compileProgram(program, { wasm });
    const actual = compiledProgram.outputSizes.map((n) => new Float32Array(n).fill(12345));
    compiledProgram.run(values.map((v) => Float32Array.from(v)), actual);
    return { actual, expected: results, loops: compiledProgram.loops };
  } finally {
    tf.dispose(tensors);
  }
}

describe('compiled convolutions: bias and relu in the product', () => {
  useCpuBackend();

  for (const [name, layer, convOnly] of LAYERS) {
    it(`${name}: the separate loop's bits in one call, TensorFlow.js's values and gradients`, () => {
      for (const wasm of [true, false]) {
        const fused = compiled((x, f, b) => [layer(x, f, b)], wasm);
        const separate = compiled((x, f, b) => [layer(x, f, b), convOnly(x, f, b)], wasm);
        const at = fused.actual[0].findIndex((v, e) => !Object.is(v, separate.actual[0][e]));
        assert.equal(at, -1, `${name} (${wasm ? 'wasm' : 'js'}): element ${at} ${fused.actual[0][at]}, separately ${separate.actual[0][at]}`);
        assert.ok(fused.actual[0].some((v) => v === 0) || !name.startsWith('relu'), 'the relu clips something');
        assert.equal(fused.loops, 1, `${name} (${wasm ? 'wasm' : 'js'}): the convolution's call is the layer's only step`);
        expectClose(fused.actual[0], fused.expected[0], `${name} (${wasm ? 'wasm' : 'js'})`);
        const grads = compiled(valueAndGrads(layer, name.includes('no bias') ? 2 : 3), wasm);
        grads.expected.forEach((e, k) => expectClose(grads.actual[k], e, `${name} (${wasm ? 'wasm' : 'js'}): value and gradients, output ${k}`));
      }
    });
  }
});
