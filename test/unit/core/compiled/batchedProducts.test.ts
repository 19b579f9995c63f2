import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { CompiledValueAndGrad } from '../../../../src/core/compiled/compileValueAndGrad';
import { STANDALONE } from '../../../../src/core/compiled/standaloneKernels';
import { selectBackend } from '../../../../src/runner/backend';

/**
 * Batched products (attention's scores q·kᵀ and mix p·v, and their gradients: transposed either
 * side) above the size the backend used to take run as the WebAssembly product over the program's
 * memory, one call per batch, bᵀ through the program's scratch: value and gradient agree with
 * TensorFlow.js, and the backend's kernel is never reached (tf.matMul is not called during a run).
 */

const heads = 8, t = 32, dh = 16;

/** Softmax attention of q, k, v sliced from the parameter vector, summed squares of the mix. */
function attention(p: tf.Tensor1D, inputs: readonly tf.Tensor[]): tf.Scalar {
  const size = heads * t * dh;
  const q = tf.reshape(tf.slice(p, [0], [size]), [heads, t, dh]);
  const k = tf.reshape(tf.slice(p, [size], [size]), [heads, t, dh]);
  const v = tf.mul(inputs[0], 0.5);
  const scores = tf.matMul(q, k, false, true);
  const mixed = tf.matMul(tf.softmax(scores), v);
  return tf.sum(tf.square(mixed)) as tf.Scalar;
}

describe('batched products in WebAssembly programs (wasm backend)', () => {
  before(async () => {
    const choice = await selectBackend('wasm');
    if (choice.backend !== 'wasm') throw new Error('could not switch to wasm');
  });
  after(async () => {
    await tf.setBackend('cpu');
  });

  it('attention-shaped products (transposed b, transposed a in the gradients) agree with TensorFlow.js without backend products', () => {
    const size = heads * t * dh;
    const x = Float32Array.from({ length: 2 * size }, (_, j) => Math.fround(0.3 * Math.sin(0.7 * j)));
    const v = Float32Array.from({ length: size }, (_, j) => Math.fround(Math.cos(0.11 * j)));
    const inputs = [{ values: v, shape: [heads, t, dh] }];
    const compiled = new CompiledValueAndGrad(attention, x.length);
    const grad = new Float32Array(x.length);
    compiled.run(x, inputs, grad);
    assert.ok(compiled.wasmLoops > 0, 'a WebAssembly program (the products need its memory)');

    const calls = { batched: 0 };
    const kernels = STANDALONE as unknown as Record<string, (...args: unknown[]) => void>;
    const original = kernels.batchMatMul;
    const matMul = tf.getKernel('BatchMatMul', tf.getBackend());
    let backendProducts = 0;
    const engine = tf.engine() as unknown as { runKernel: (...args: unknown[]) => unknown };
    const runKernel = engine.runKernel;
    kernels.batchMatMul = (...args: unknown[]) => {
      calls.batched++;
      original(...args);
    };
    engine.runKernel = function (this: unknown, name: unknown, ...rest: unknown[]) {
      if (name === 'BatchMatMul') backendProducts++;
      return runKernel.call(this, name, ...rest);
    };
    let loss: number;
    try {
      loss = compiled.run(x, inputs, grad);
    } finally {
      kernels.batchMatMul = original;
      engine.runKernel = runKernel;
    }
    assert.ok(matMul !== undefined, 'the backend has a BatchMatMul kernel (the fallback this replaces)');
    assert.ok(calls.batched >= 3, `batchMatMul called ${calls.batched} times`);
    assert.equal(backendProducts, 0, 'no product went to the backend');

    const before = tf.memory().numTensors;
    const expected = tf.tidy(() => {
      const { value, grad: g } = tf.valueAndGrad((p: tf.Tensor1D) => attention(p, [tf.tensor3d(v, [heads, t, dh])]))(tf.tensor1d(x));
      return { value: value.dataSync()[0], grad: Array.from(g.dataSync()) };
    });
    assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
    assert.ok(Math.abs(loss - expected.value) <= 1e-5 * Math.abs(expected.value), `loss ${loss} vs ${expected.value}`);
    let worst = 0;
    const scale = expected.grad.reduce((m, g) => Math.max(m, Math.abs(g)), 0);
    expected.grad.forEach((g, j) => (worst = Math.max(worst, Math.abs(grad[j] - g) / scale)));
    assert.ok(worst <= 1e-5, `gradient off by ${worst} of its largest element`);
  });
});
