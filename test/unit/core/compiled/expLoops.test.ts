import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { compileProgram } from '../../../../src/core/compiled/compileProgram';
import { traceProgram } from '../../../../src/core/compiled/traceProgram';
import { TRANSCENDENTAL_TOL, assertClose, runProgram, spread, useCpuBackend } from './compiledCheck';

/**
 * exp in the compiled loops (softmax cross-entropy, sigmoid, tf.exp): its loops run as WebAssembly
 * (transcendentalExp.ts) with the JS loops' bits, which call Math.exp; also where exp overflows,
 * underflows or gives subnormals, and on NaN, ±Infinity and ±0.
 */

const SPECIALS = [NaN, Infinity, -Infinity, -0, 0, Math.fround(1e-45), Math.fround(3.4e38), Math.fround(-3.4e38), Math.fround(88.8), Math.fround(-103.9),
  Math.fround(-745.2), Math.fround(709.9), Math.fround(-720), 1, Math.fround(1e-30)];
const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const values = (n: number, seed: number, specials: boolean) =>
  Float32Array.from(spread(n, seed), (v, i) => (specials && i % 5 === 2 ? SPECIALS[(i + seed) % SPECIALS.length] : 4 * v));

/** A classifier's softmax cross-entropy with a sigmoid layer, its gradients, and exp of an input as it is. */
function classifier(x: tf.Tensor, w1: tf.Tensor, w2: tf.Tensor, labels: tf.Tensor): tf.Tensor[] {
  const loss = (a: tf.Tensor, b: tf.Tensor) => {
    const h = tf.sigmoid(tf.matMul(x as tf.Tensor2D, a as tf.Tensor2D));
    const logits = tf.matMul(h, b as tf.Tensor2D);
    return tf.mean(tf.sub(tf.logSumExp(logits, 1), tf.sum(tf.mul(logits, labels), 1))) as tf.Scalar;
  };
  const { value, grads } = tf.valueAndGrads(loss)([w1, w2]);
  return [value, ...grads, tf.exp(x)];
}

describe('compiled exp: WebAssembly loops with the JS loops\' bits (Math.exp\'s)', () => {
  useCpuBackend();

  it('a classifier\'s loss and gradients and exp of an input: no JS loop, the JS program\'s outputs (special values too), TensorFlow.js\'s values', () => {
    const shapes = [[48, 12], [12, 40], [40, 10], [48, 10]];
    const before = tf.memory().numTensors;
    const tensors = shapes.map((shape, k) => tf.tensor(values(sizeOf(shape), k, false), shape));
    const { program, results: expected } = traceProgram(classifier, tensors);
    tf.dispose(tensors);
    assert.equal(tf.memory().numTensors, before, 'tensors leaked');
    const [wasm, js] = [compileProgram(program, { wasm: true }), compileProgram(program, { wasm: false })];
    assert.equal(wasm.jsLoops, 0, 'an exp loop stayed in JS');
    assert.ok(js.source.includes('Math.exp('), js.source);
    runProgram(wasm, shapes.map((shape, k) => values(sizeOf(shape), k, false))).forEach((out, k) => assertClose(out, expected[k], TRANSCENDENTAL_TOL, `output ${k} against TensorFlow.js`));
    for (const specials of [false, true]) {
      const inputs = shapes.map((shape, k) => values(sizeOf(shape), k + 5, specials));
      const [a, b] = [runProgram(wasm, inputs), runProgram(js, inputs)];
      b.forEach((jsOut, k) => {
        for (let i = 0; i < jsOut.length; i++) {
          if (Object.is(a[k][i], jsOut[i]) || (Number.isNaN(a[k][i]) && Number.isNaN(jsOut[i]))) continue;
          // The loss is a float64 sum, added in another order by the vector loop.
          const close = k === 0 && Math.abs(a[k][i] - jsOut[i]) <= 1e-6 * Math.abs(jsOut[i]);
          assert.ok(close, `output ${k}[${i}] (${specials ? 'special' : 'smooth'} values): ${a[k][i]} with WebAssembly, ${jsOut[i]} in JS`);
        }
      });
    }
  });
});
