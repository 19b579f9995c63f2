import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
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
});
