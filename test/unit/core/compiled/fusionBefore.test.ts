import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { relativeError } from '../../../../src/core/compiled/agreement';
import { compileProgram } from '../../../../src/core/compiled/compileProgram';
import { traceProgram } from '../../../../src/core/compiled/traceProgram';
import { assertClose, spread } from './compiledCheck';

/**
 * Kernels that do not depend on the open loop go into a loop before it (loopFuser.beforeOpen), and
 * successive such kernels fuse with each other there: a batch norm's backward pass, traced while a
 * one-element loop of the loss stays open, was one loop per kernel over the whole activation.
 */
/**
 * Traces fn on `inputs` (values and shapes), compiles it as WebAssembly and as JS, and holds each to `loops` fused
 * loops and to TensorFlow.js's values; nothing leaked by the trace.
 */
function expectLoops(fn: (...xs: tf.Tensor[]) => tf.Tensor[], inputs: readonly { values: Float32Array; shape: number[] }[], loops: number): void {
  const tensors = inputs.map((i) => tf.tensor(i.values, i.shape));
  const before = tf.memory().numTensors;
  const { program, results } = traceProgram(fn, tensors);
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  tf.dispose(tensors);
  for (const wasm of [true, false]) {
    const compiled = compileProgram(program, { wasm });
    assert.equal(compiled.loops, loops, compiled.source);
    const outputs = compiled.outputSizes.map((n) => new Float32Array(n).fill(12345));
    compiled.run(inputs.map((i) => i.values), outputs);
    results.forEach((r, k) => assertClose(outputs[k], r, 1e-6, `output ${k} (${wasm ? 'WebAssembly' : 'JS'})`));
  }
}

describe('compiled programs: kernels independent of the open loop fuse with each other before it', () => {
  it('a chain over y while a scalar loop of x is open: one loop for the chain, TensorFlow.js\'s values', () => {
    const fn = (x: tf.Tensor, y: tf.Tensor) => {
      const scale = tf.mul(tf.sum(x), 2);
      const a = tf.mul(y, 3);
      const b = tf.add(a, 1);
      const c = tf.mul(b, b);
      const d = tf.sub(c, a);
      return [tf.add(scale, 1), tf.mul(d, 0.5)];
    };
    // The sum over x, the scalar loop, and the chain over y: three loops (one per kernel of the chain was six).
    expectLoops(fn, [{ values: Float32Array.from(spread(40)), shape: [40] }, { values: Float32Array.from(spread(4096, 7)), shape: [4096] }], 3);
  });

  it('a per-channel statistic of the open loop\'s sums waits after it: later kernels that do not need it still join the open loop', () => {
    // mean over rows (a sum in the loop over x), then x·3 (independent of the mean), then (x·3 − mean)·x (needs both).
    const fn = (x: tf.Tensor) => {
      const mean = tf.mul(tf.sum(x, 0), 1 / 64);
      const scaled = tf.mul(x, 3);
      const sq = tf.mul(x, x);
      return [tf.mul(tf.sub(scaled, mean), sq), tf.sum(sq)];
    };
    // The loop over x with its column sums, x·3 and x·x; the mean's loop of 8; the last product: three loops
    // (four when the mean closed the loop over x and x·3 had a loop of its own).
    expectLoops(fn, [{ values: Float32Array.from(spread(64 * 8, 3)), shape: [64, 8] }], 3);
  });

  it('a per-channel value computed in the loop before the open one (tiled or broadcast) is read there from where it is stored: one loop over x', () => {
    // x·2 opens the loop over x; 1/√(v + 1) (8 numbers, independent of it) goes into a loop before it; both products read it.
    const fn = (x: tf.Tensor, v: tf.Tensor) => {
      const a = tf.mul(x, 2);
      const r = tf.rsqrt(tf.add(v, 1));
      const tiled = tf.mul(a, tf.tile(tf.reshape(r, [1, 8]), [64, 1]));
      return [tf.add(tf.mul(tiled, x), tf.mul(a, r))];
    };
    // The loop of 8, then one loop over x (three when the products closed the first loop over x).
    const v = Float32Array.from(spread(8, 9), (t) => Math.abs(t));
    expectLoops(fn, [{ values: Float32Array.from(spread(64 * 8, 5)), shape: [64, 8] }, { values: v, shape: [8] }], 2);
  });

  it('a call reading the output of a call made before a loop was opened after the open one runs after it, not before', () => {
    // Σ w opens a loop; conv c1 goes among its steps before; s·2 (12 numbers, only the sum) opens a loop after it; conv c2
    // reads c1. Among the outer loop's steps before, c2 ran ahead of c1, whose steps join them when the inner loop closes.
    const fn = (x: tf.Tensor, f: tf.Tensor, f2: tf.Tensor, w: tf.Tensor) => {
      const s = tf.sum(w, [0, 1, 2]);
      const c1 = tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'same');
      const s2 = tf.mul(s, 2);
      return [s2, tf.conv2d(c1, f2 as tf.Tensor4D, 1, 'same')];
    };
    const shapes = [[2, 7, 6, 5], [3, 3, 5, 12], [3, 3, 12, 4], [2, 7, 6, 12]];
    // w of one sign: its sums in another order than TensorFlow.js's then differ by no more than their rounding.
    const inputs = shapes.map((shape, k) => ({ values: Float32Array.from(spread(shape.reduce((a, b) => a * b, 1), k + 1), (v) => (k === 3 ? Math.abs(v) : v)), shape }));
    const tensors = inputs.map((i) => tf.tensor(i.values, i.shape));
    const { program, results } = traceProgram(fn, tensors);
    tf.dispose(tensors);
    for (const wasm of [true, false]) {
      const compiled = compileProgram(program, { wasm });
      const outputs = compiled.outputSizes.map((n) => new Float32Array(n).fill(12345));
      compiled.run(inputs.map((i) => i.values), outputs);
      // conv.test.ts' tolerance: float32 sums of a convolution's terms in another order than TensorFlow.js's.
      results.forEach((r, k) => assert.ok(relativeError(outputs[k], r) <= 1e-5, `output ${k} (${wasm ? 'WebAssembly' : 'JS'}): ${relativeError(outputs[k], r)}`));
    }
  });

  it('a view copied for a gather at computed indices is copied after the call that makes its base', () => {
    // As above, with the first convolution's output transposed (a view) and gathered by int32 indices: the copy
    // of the view went into the program's steps ahead of the open loops' steps before, so ahead of the convolution.
    const fn = (x: tf.Tensor, f: tf.Tensor, w: tf.Tensor, ix: tf.Tensor) => {
      const s = tf.sum(w, [0, 1, 2]);
      const c1 = tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'same');
      const s2 = tf.mul(s, 2);
      return [s2, tf.gather(tf.transpose(tf.reshape(c1, [-1, 12])), ix)];
    };
    const shapes = [[2, 7, 6, 5], [3, 3, 5, 12], [2, 7, 6, 12]];
    const values = shapes.map((shape, k) => Float32Array.from(spread(shape.reduce((a, b) => a * b, 1), k + 1), (v) => (k === 2 ? Math.abs(v) : v)));
    const indices = [3, 0, 11, 5, 5];
    const tensors = [...values.map((v, k) => tf.tensor(v, shapes[k])), tf.tensor1d(indices, 'int32')];
    const { program, results } = traceProgram(fn, tensors);
    tf.dispose(tensors);
    for (const wasm of [true, false]) {
      const compiled = compileProgram(program, { wasm });
      const outputs = compiled.outputSizes.map((n) => new Float32Array(n).fill(12345));
      compiled.run([...values, Float32Array.from(indices)], outputs);
      results.forEach((r, k) => assert.ok(relativeError(outputs[k], r) <= 1e-5, `output ${k} (${wasm ? 'WebAssembly' : 'JS'}): ${relativeError(outputs[k], r)}`));
    }
  });
});
