import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { compileProgram, type CompiledProgram } from '../../../../src/core/compiled/compileProgram';
import { traceProgram } from '../../../../src/core/compiled/traceProgram';
import { registerSecondOrderGradients } from '../../../../src/core/tfjs/secondOrderGradients';
import { TRANSCENDENTAL_TOL, assertClose, runProgram, spread, useCpuBackend } from './compiledCheck';

/**
 * tanh in the compiled loops: its loops run as WebAssembly (transcendentalTanh.ts) with the JS loops'
 * bits, and a repeated elementwise kernel on the same inputs (the runner's tanh gradient recomputes
 * tanh(x) from x, see secondOrderGradients.ts) is computed once (valueGraph.ts).
 */

const SPECIALS = [NaN, Infinity, -Infinity, -0, 0, Math.fround(1e-45), Math.fround(-1e-40), Math.fround(3.4e38), Math.fround(-30), Math.fround(1e-30)];
const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const values = (n: number, seed: number, specials: boolean) =>
  Float32Array.from(spread(n, seed), (v, i) => (specials && i % 7 === 3 ? SPECIALS[(i + seed) % SPECIALS.length] : 3 * v));

/** Traced at smooth values, compiled both ways; also TensorFlow.js's results there. */
function compileBoth(fn: (...xs: tf.Tensor[]) => tf.Tensor[], shapes: readonly number[][]): { wasm: CompiledProgram; js: CompiledProgram; expected: Float32Array[] } {
  const before = tf.memory().numTensors;
  const tensors = shapes.map((shape, k) => tf.tensor(values(sizeOf(shape), k, false), shape));
  const { program, results } = traceProgram(fn, tensors);
  tf.dispose(tensors);
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  return { wasm: compileProgram(program, { wasm: true }), js: compileProgram(program, { wasm: false }), expected: results };
}

/** A two-layer tanh network's loss and the gradients of its weights (the sweep's MLP, smaller). */
function tanhNetwork(x: tf.Tensor, w1: tf.Tensor, w2: tf.Tensor, y: tf.Tensor): tf.Tensor[] {
  const loss = (a: tf.Tensor, b: tf.Tensor) => {
    const h = tf.tanh(tf.matMul(x as tf.Tensor2D, a as tf.Tensor2D));
    return tf.mean(tf.square(tf.sub(tf.matMul(tf.tanh(tf.mul(h, 1.5)), b as tf.Tensor2D), y))) as tf.Scalar;
  };
  const { value, grads } = tf.valueAndGrads(loss)([w1, w2]);
  return [value, ...grads];
}

const count = (text: string, what: string) => text.split(what).length - 1;

describe('compiled tanh: WebAssembly loops with the JS loops\' bits, each tanh computed once', () => {
  useCpuBackend();
  before(() => registerSecondOrderGradients());

  it('a tanh network\'s loss and gradients: no JS loop, the same outputs as the JS program (special values too), TensorFlow.js\'s values', () => {
    const shapes = [[24, 8], [8, 40], [40, 3], [24, 3]];
    const { wasm, js, expected } = compileBoth(tanhNetwork, shapes);
    assert.equal(wasm.jsLoops, 0, 'a tanh loop stayed in JS');
    assert.ok(wasm.wasmLoops >= 2);
    // Two forward tanh; the gradient's recomputed tanh(x) (the runner's second-order form) reuses them.
    assert.equal(count(js.source, 'Math.tanh('), 2, js.source);
    const smooth = shapes.map((shape, k) => values(sizeOf(shape), k, false));
    runProgram(wasm, smooth).forEach((out, k) => assertClose(out, expected[k], TRANSCENDENTAL_TOL, `output ${k} against TensorFlow.js`));
    for (const specials of [false, true]) {
      const inputs = shapes.map((shape, k) => values(sizeOf(shape), k + 5, specials));
      const [a, b] = [runProgram(wasm, inputs), runProgram(js, inputs)];
      b.forEach((expectedOut, k) => {
        for (let i = 0; i < expectedOut.length; i++) {
          if (Object.is(a[k][i], expectedOut[i])) continue;
          // The loss is a float64 sum, added in another order by the vector loop.
          const close = k === 0 && Math.abs(a[k][i] - expectedOut[i]) <= 1e-6 * Math.abs(expectedOut[i]);
          assert.ok(close, `output ${k}[${i}] (${specials ? 'special' : 'smooth'} values): ${a[k][i]} with WebAssembly, ${expectedOut[i]} in JS`);
        }
      });
    }
  });

  it('the same elementwise kernel on the same inputs and attributes is computed once; other inputs or attributes are not merged', () => {
    const twice = (x: tf.Tensor, y: tf.Tensor) => [tf.add(tf.mul(tf.exp(x), tf.exp(x)), tf.leakyRelu(x, 0.1)), tf.sub(tf.exp(y), tf.leakyRelu(x, 0.2))];
    const { js, wasm, expected } = compileBoth(twice, [[50], [50]]);
    assert.equal(count(js.source, 'Math.exp('), 2, js.source);
    assert.equal(count(js.source, '0.1 *'), 1, js.source);
    assert.equal(count(js.source, '0.2 *'), 1, js.source);
    const inputs = [values(50, 0, false), values(50, 1, false)];
    runProgram(wasm, inputs).forEach((out, k) => assertClose(out, expected[k], TRANSCENDENTAL_TOL, `output ${k}`));
  });
});
