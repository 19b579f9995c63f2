import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { relativeError } from '../../../../src/core/compiled/agreement';
import { compileProgram, scheduleOf } from '../../../../src/core/compiled/compileProgram';
import { traceProgram } from '../../../../src/core/compiled/traceProgram';
import { selectBackend } from '../../../../src/runner/backend';
import { ARITH_TOL, expectSameAsTfjs, spread, useCpuBackend, valueAndGrads } from './compiledCheck';

/**
 * Large 2-D products (productCalls.ts) on the wasm backend, in a program with WebAssembly loops so
 * every buffer is in the program's memory: the product runs as WebAssembly SIMD there, a transposed
 * right operand first transposed into the program's scratch buffer. Value and both gradients of a
 * dense layer (each a product of another transpose form) against TensorFlow.js's wasm kernels.
 */
const TOL = 1e-5;

describe('compiled programs: large 2-D products as WebAssembly over the program\'s memory (wasm backend)', () => {
  before(async () => {
    const choice = await selectBackend('wasm');
    if (choice.backend !== 'wasm') throw new Error('could not switch to wasm');
  });
  after(async () => {
    await tf.setBackend('cpu');
  });

  for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
    it(`relu([48,40]·[40,36]) transposeA=${ta} transposeB=${tb} (69,120 multiply-adds): value, ∂/∂a (a product with bᵀ), ∂/∂b (with aᵀ)`, () => {
      const shapes = [ta ? [40, 48] : [48, 40], tb ? [36, 40] : [40, 36]];
      const values = shapes.map((s, k) => spread(s[0] * s[1], k + 1));
      const tensors = values.map((v, k) => tf.tensor(v, shapes[k]));
      const before = tf.memory().numTensors;
      try {
        const fn = valueAndGrads((x, y) => tf.relu(tf.matMul(x, y, ta, tb)));
        const { program, results } = traceProgram(fn, tensors);
        assert.equal(tf.memory().numTensors, before, 'tensors leaked');
        const kernels = program.nodes.filter((n) => n.kernel === 'BatchMatMul').length;
        assert.ok(kernels >= 3, `${kernels} products: a value and two gradient products expected`);
        // With WebAssembly loops the product runs in the program's memory; without (no memory) on the backend's kernel.
        for (const wasm of [true, false]) {
          const compiled = compileProgram(program, { wasm });
          assert.equal(compiled.wasmLoops > 0, wasm, `WebAssembly loops: ${compiled.wasmLoops}`);
          assert.match(compiled.source, /kernels\.product\(/);
          const actual = compiled.outputSizes.map((n) => new Float32Array(n).fill(12345));
          compiled.run(values.map((v) => Float32Array.from(v)), actual);
          results.forEach((expected, k) => {
            const error = relativeError(actual[k], expected);
            assert.ok(error <= TOL, `${wasm ? 'wasm' : 'js'} output ${k}: ${error.toExponential(2)} relative to TensorFlow.js`);
          });
        }
      } finally {
        tf.dispose(tensors);
      }
    });
  }
});

describe('compiled programs: large 2-D products on the cpu backend sum in float64, as its kernel does', () => {
  useCpuBackend();

  it('relu([48,40]·[36,40]ᵀ): value and both gradients within 1e-6 of TensorFlow.js\'s cpu kernels', () => {
    const program = expectSameAsTfjs(valueAndGrads((x, y) => tf.relu(tf.matMul(x, y, false, true))), [
      { values: spread(48 * 40, 1), shape: [48, 40] }, { values: spread(36 * 40, 2), shape: [36, 40] },
    ], ARITH_TOL, 'cpu product');
    assert.match(program.source, /kernels\.product\(/);
  });
});

describe('compiled programs: a slice of the parameters two products read is copied once', () => {
  useCpuBackend();

  it('a dense layer whose weights are a slice of x: the forward and the input gradient read one copy, TensorFlow.js\'s values', () => {
    // The weights [40, 36] after 8 other numbers in x; h·w forward, dy·wᵀ for ∂/∂h: both products read the same copy of w.
    // As an objective's value and gradient trace it: one slice of x, read by the forward product and by ∂/∂h's.
    const layer = (x: tf.Tensor, h: tf.Tensor) => tf.relu(tf.matMul(h, tf.reshape(tf.slice(x, 8, 40 * 36), [40, 36])));
    const grads = (x: tf.Tensor, h: tf.Tensor) => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(layer(a, b))))([x, h]);
    const inputs = [{ values: spread(8 + 40 * 36, 1), shape: [8 + 40 * 36] }, { values: spread(48 * 40, 2), shape: [48, 40] }];
    const tensors = inputs.map((i) => tf.tensor(i.values, i.shape));
    try {
      const { program } = traceProgram(grads, tensors);
      const copies = scheduleOf(program).steps.filter((s) => s.kind === 'copy' && s.size === 40 * 36);
      assert.equal(copies.length, 1, 'copies of the weights');
    } finally {
      tf.dispose(tensors);
    }
    expectSameAsTfjs(grads, inputs, ARITH_TOL, 'dense layer of a slice');
  });
});
