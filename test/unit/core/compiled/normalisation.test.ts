import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { relativeError } from '../../../../src/core/compiled/agreement';
import { compileProgram } from '../../../../src/core/compiled/compileProgram';
import { NotCompilable } from '../../../../src/core/compiled/program';
import { traceProgram } from '../../../../src/core/compiled/traceProgram';
import { spread, useCpuBackend, valueAndGrads, type TestInput } from './compiledCheck';

/**
 * The normalisations of deep networks compiled against TensorFlow.js (cpu): batch normalisation in
 * training mode (tf.moments over the batch axes, then tf.batchNorm: its kernel is one fused
 * statement, its gradient tfjs's composition of elementwise ops and sums over axes), layer
 * normalisation (moments over the last axis), and embeddings (tf.gather of integer ids, whose
 * gradient is a segment sum). Values, gradients of every float input, and a second derivative.
 */

/** Float32 sums over up to a few hundred elements, in another order than tfjs's: one scale per output. */
const TOL = 1e-5;

const float = (shape: readonly number[], offset: number): TestInput => ({ values: spread(shape.reduce((a, b) => a * b, 1), offset), shape });
const ids = (values: number[], shape: readonly number[]): TestInput => ({ values, shape, dtype: 'int32' });

/** Traces fn, compiles it with and without WebAssembly loops, compares every output; returns the kernels traced. */
function expectAgrees(fn: (...t: tf.Tensor[]) => tf.Tensor[], inputs: readonly TestInput[], what: string): string[] {
  const tensors = inputs.map((i) => tf.tensor(i.values as number[], [...i.shape], i.dtype ?? 'float32'));
  const before = tf.memory().numTensors;
  try {
    const { program, results } = traceProgram(fn, tensors);
    assert.equal(tf.memory().numTensors, before, `${what}: tensors leaked`);
    for (const wasm of [true, false]) {
      const compiled = compileProgram(program, { wasm });
      const actual = compiled.outputSizes.map((n) => new Float32Array(n).fill(12345));
      compiled.run(inputs.map((i) => Float32Array.from(i.values)), actual);
      results.forEach((expected, k) => {
        const error = relativeError(actual[k], expected);
        assert.ok(error <= TOL, `${what} (${wasm ? 'wasm' : 'js'}) output ${k}: ${error.toExponential(2)} relative to TensorFlow.js`);
      });
    }
    return program.nodes.map((n) => n.kernel);
  } finally {
    tf.dispose(tensors);
  }
}

/** Batch norm in training mode over every axis but the channels (a conv layer's). */
function batchNormTraining(x: tf.Tensor, gamma?: tf.Tensor, beta?: tf.Tensor, keepDims = false): tf.Tensor {
  const axes = x.shape.map((_, k) => k).slice(0, -1);
  const { mean, variance } = tf.moments(x, axes, keepDims);
  return tf.batchNorm(x, mean, variance, beta, gamma, 1e-5);
}

function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), gamma), beta);
}

describe('compiled programs: batch and layer normalisation and embeddings match TensorFlow.js', () => {
  useCpuBackend();

  it('batch norm (training mode) of NHWC activations with scale and offset: value and ∂/∂x, ∂/∂γ, ∂/∂β', () => {
    const kernels = expectAgrees(valueAndGrads((x, g, b) => batchNormTraining(x, g, b)), [float([4, 5, 5, 3], 1), float([3], 2), float([3], 3)], 'batch norm');
    assert.ok(kernels.includes('FusedBatchNorm'), kernels.join(' '));
  });

  it('batch norm of dense features [n, d] (value and gradients), and with statistics kept as [1, 1, 1, c] (value: tfjs\'s gradient needs rank-1 ones)', () => {
    const kept = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => [batchNormTraining(x, g.reshape([1, 1, 1, -1]), b.reshape([1, 1, 1, -1]), true)];
    expectAgrees(kept, [float([3, 4, 4, 5], 4), float([5], 5), float([5], 6)], 'keepDims');
    expectAgrees(valueAndGrads((x, g, b) => batchNormTraining(x, g, b)), [float([16, 6], 5), float([6], 6), float([6], 7)], 'dense');
  });

  it('batch norm without scale or offset (the kernel\'s defaults 1 and 0): value (tfjs\'s own gradient throws without them)', () => {
    expectAgrees((x) => [batchNormTraining(x)], [float([3, 4, 4, 5], 4)], 'no scale, no offset');
    expectAgrees((x, g) => [batchNormTraining(x, g)], [float([3, 4, 4, 5], 4), float([5], 1)], 'scale, no offset');
  });

  it('the batch-norm kernel in float32 stays within 5·2⁻²⁴ of the cpu kernel\'s float64 form, relative to |offset| + |normalised x|', () => {
    // 16 channels: the vector loop's per-block channel values; 6: a period it does not take (the plain form).
    for (const channels of [16, 6]) {
      const n = 4096 * channels;
      const draw = (count: number, lo: number, hi: number, seed: number) => Array.from({ length: count }, (_, i) => Math.fround(lo + (hi - lo) * ((Math.sin(seed * 7919 + i * 104.729) + 1) / 2)));
      const [x, mean, variance, offset, scale] = [draw(n, -4, 4, 1), draw(channels, -0.5, 0.5, 2), draw(channels, 1e-4, 3, 3), draw(channels, -0.5, 0.5, 4), draw(channels, -2, 2, 5)];
      const tensors = [tf.tensor(x, [n / channels, channels]), ...[mean, variance, offset, scale].map((v) => tf.tensor1d(v))];
      try {
        const { program } = traceProgram((a, m, v, o, g) => [tf.batchNorm(a, m, v, o, g, 1e-5)], tensors);
        for (const wasm of [true, false]) {
          const out = new Float32Array(n);
          compileProgram(program, { wasm }).run([x, mean, variance, offset, scale].map((v) => Float32Array.from(v)), [out]);
          let worst = 0;
          for (let i = 0; i < n; i++) {
            const c = i % channels;
            const normalised = ((x[i] - mean[c]) * scale[c]) / Math.sqrt(variance[c] + 1e-5);
            worst = Math.max(worst, Math.abs(out[i] - (offset[c] + normalised)) / (Math.abs(offset[c]) + Math.abs(normalised)));
          }
          assert.ok(worst <= 5 * 2 ** -24, `${channels} channels (${wasm ? 'wasm' : 'js'}): ${worst.toExponential(2)}`);
        }
      } finally {
        tf.dispose(tensors);
      }
    }
  });

  it('a second derivative through batch norm: the gradient of ⟨∂/∂x loss, v⟩ (what a Hessian-vector product traces)', () => {
    const v = float([4, 3, 3, 2], 8);
    const hvp = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const vt = tf.tensor(v.values as number[], [...v.shape]);
      const loss = (xs: tf.Tensor) => tf.sum(tf.square(tf.relu(batchNormTraining(xs, g, b))));
      return [tf.grad((xs: tf.Tensor) => tf.sum(tf.mul(tf.grad(loss)(xs), vt)))(x)];
    };
    expectAgrees(hvp, [float([4, 3, 3, 2], 1), float([2], 2), float([2], 3)], 'batch norm HVP');
  });

  it('a batch norm whose statistics do not broadcast as a suffix of x is refused, not computed wrong', () => {
    const x = tf.tensor(spread(24, 1), [4, 6]);
    const m = tf.tensor(spread(4, 2), [4, 1]);
    try {
      // The cpu kernel repeats a [4, 1] mean along x's flat elements (mean[i mod 4]), which is no broadcast.
      const { program } = traceProgram((a, b) => [tf.batchNorm(a, b, tf.add(tf.square(b), 1))], [x, m]);
      assert.throws(() => compileProgram(program), NotCompilable);
    } finally {
      tf.dispose([x, m]);
    }
  });

  it('layer norm over the last axis (a transformer block\'s): value and ∂/∂x, ∂/∂γ, ∂/∂β', () => {
    expectAgrees(valueAndGrads(layerNorm), [float([2, 8, 16], 1), float([16], 2), float([16], 3)], 'layer norm');
  });

  it('embeddings: tf.gather of integer ids (input and constant), the table\'s gradient a segment sum with repeated ids', () => {
    const tokens = [3, 0, 7, 3, 3, 9, 1, 0, 2, 7, 5, 3];
    const embed = (table: tf.Tensor, at: tf.Tensor) => tf.tanh(tf.gather(table, at));
    const kernels = expectAgrees(valueAndGrads(embed, 1), [float([10, 6], 1), ids(tokens, [2, 6])], 'embedding of input ids');
    assert.ok(kernels.includes('GatherV2') && kernels.includes('UnsortedSegmentSum'), kernels.join(' '));
    const constantIds = (table: tf.Tensor) => tf.gather(table, tf.tensor2d(tokens, [3, 4], 'int32'));
    expectAgrees(valueAndGrads(constantIds), [float([10, 6], 2)], 'embedding of constant ids');
  });

  it('an embedding, layer norm and a dense layer into softmax cross-entropy (a transformer\'s first block, shortened)', () => {
    const tokens = [1, 4, 2, 2, 0, 3, 4, 1];
    const model = (table: tf.Tensor, w: tf.Tensor, at: tf.Tensor) => {
      const h = layerNorm(tf.gather(table, at), tf.onesLike(table.slice([0, 0], [1, -1])).reshape([-1]), tf.zeros([table.shape[1] as number]));
      const logits = tf.matMul(h.reshape([-1, table.shape[1] as number]), w);
      return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.cast(at, 'int32').reshape([-1]), 5), logits);
    };
    expectAgrees(valueAndGrads(model, 2), [float([5, 8], 1), float([8, 5], 2), ids(tokens, [2, 4])], 'embedding + layer norm + dense');
  });
});
