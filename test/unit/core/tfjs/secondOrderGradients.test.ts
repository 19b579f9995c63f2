import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { hessianVectorProduct } from '../../../../src/core/curvature/hvp';
import type { FlatObjective } from '../../../../src/core/curvature/hvp';
import { originalGradients, registerSecondOrderGradients } from '../../../../src/core/tfjs/secondOrderGradients';
import { forEachBackend } from '../../helpers/backends';

/*
 * Every op an objective is likely to use: the HVP by double backprop must match
 * central finite differences of the gradient (Richardson-extrapolated, so the
 * truncation error is O(h⁴) and float32 rounding dominates), or be rejected.
 * Inputs keep every kink (relu, abs, elu, huber, max) at least 0.2 away.
 */

const N = 6;
const x0 = Array.from({ length: N }, (_, i) => 0.5 * Math.sin(1.3 * i + 0.7));
const v0 = Array.from({ length: N }, (_, i) => Math.cos(0.8 * i + 0.2));
const W = Array.from({ length: N }, (_, i) => Array.from({ length: N }, (_, j) => (i === j ? 0.5 : 0) + 0.08 * Math.cos(0.9 * i + 1.7 * j + 0.3)));
const shift = Array.from({ length: N }, (_, i) => (i % 2 === 0 ? 0.8 : -0.8) + 0.05 * i);
const weights = Array.from({ length: N }, (_, i) => 0.5 + 0.25 * i);

/** z = W·x + shift: mixes coordinates so the Hessian is not diagonal; |z| ∈ [0.3, 1.6]. */
const mixed = (x: tf.Tensor1D, offset: number[] = shift): tf.Tensor1D =>
  tf.add(tf.matMul(tf.tensor2d(W), tf.reshape(x, [N, 1])).reshape([N]), tf.tensor1d(offset)) as tf.Tensor1D;
const positive = (x: tf.Tensor1D) => mixed(x, shift.map(() => 2)); // z ∈ [1.5, 2.5]

/** Σ c·g(z) + ½ Σ g(z)²: exercises both g' and g''. */
const unaryObjective = (g: (z: tf.Tensor) => tf.Tensor, domain = mixed): FlatObjective => (x) => {
  const y = g(domain(x));
  return tf.add(tf.sum(tf.mul(tf.tensor1d(weights), y)), tf.mul(0.5, tf.sum(tf.square(y)))) as tf.Scalar;
};

const labels01 = () => tf.tensor2d([[0.2, 0.9, 0.5], [1, 0, 0.3]]);
const onehot = () => tf.tensor2d([[0, 1, 0], [0, 0, 1]]);
const grid = (x: tf.Tensor1D) => tf.reshape(mixed(x), [2, 3]) as tf.Tensor2D;

const cases: Record<string, FlatObjective> = {
  exp: unaryObjective(tf.exp),
  log: unaryObjective(tf.log, positive),
  log1p: unaryObjective(tf.log1p, positive),
  sqrt: unaryObjective(tf.sqrt, positive),
  rsqrt: unaryObjective(tf.rsqrt, positive),
  square: unaryObjective(tf.square),
  'pow (constant exponent)': unaryObjective((z) => tf.pow(z, tf.scalar(1.7)), positive),
  'pow (tensor exponent)': (x) => tf.sum(tf.pow(positive(x), tf.add(tf.mul(mixed(x), 0.5), 1))) as tf.Scalar,
  abs: unaryObjective(tf.abs),
  sin: unaryObjective(tf.sin),
  cos: unaryObjective(tf.cos),
  tan: unaryObjective((z) => tf.tan(tf.mul(z, 0.8))),
  tanh: unaryObjective(tf.tanh),
  sigmoid: unaryObjective(tf.sigmoid),
  softplus: unaryObjective(tf.softplus),
  relu: unaryObjective(tf.relu),
  elu: unaryObjective(tf.elu),
  selu: unaryObjective(tf.selu),
  atan: unaryObjective(tf.atan),
  erf: unaryObjective(tf.erf),
  'tanh of X·w (the tfjs#3252 case)': (x) =>
    tf.sum(tf.square(tf.tanh(tf.matMul(tf.tensor2d(W).mul(10), tf.reshape(x, [N, 1]))))) as tf.Scalar,
  sum: (x) => tf.sum(tf.exp(mixed(x))) as tf.Scalar,
  mean: (x) => tf.mean(tf.exp(mixed(x))) as tf.Scalar,
  max: (x) => tf.max(tf.mul(tf.square(mixed(x)), tf.tensor1d(weights))) as tf.Scalar,
  logSumExp: (x) => tf.logSumExp(tf.mul(mixed(x), 3)) as tf.Scalar,
  matMul: (x) => {
    const p = tf.reshape(mixed(x), [3, 2]);
    return tf.mul(0.1, tf.sum(tf.square(tf.matMul(p, p, false, true)))) as tf.Scalar;
  },
  conv2d: (x) => {
    const z = mixed(x);
    const image = tf.reshape(tf.concat([z, z.reverse(), z.mul(0.5)]).slice(0, 16), [1, 4, 4, 1]) as tf.Tensor4D;
    const filter = tf.reshape(z.slice(2, 4), [2, 2, 1, 1]) as tf.Tensor4D;
    const out = tf.conv2d(image, filter, 1, 'valid');
    return tf.add(tf.sum(tf.square(out)), tf.sum(tf.sin(out))) as tf.Scalar;
  },
  softmax: (x) => tf.sum(tf.mul(tf.softmax(tf.mul(grid(x), 2)), tf.tensor2d([[1, 2, 3], [-1, 0.5, 2]]))) as tf.Scalar,
  logSoftmax: (x) => tf.sum(tf.mul(tf.logSoftmax(tf.mul(grid(x), 2)), tf.tensor2d([[1, 2, 3], [-1, 0.5, 2]]))) as tf.Scalar,
  'losses.sigmoidCrossEntropy': (x) => tf.losses.sigmoidCrossEntropy(labels01(), tf.mul(grid(x), 2)) as tf.Scalar,
  'losses.softmaxCrossEntropy': (x) => tf.losses.softmaxCrossEntropy(onehot(), tf.mul(grid(x), 2)) as tf.Scalar,
  'losses.meanSquaredError': (x) => tf.losses.meanSquaredError(labels01(), tf.sin(grid(x))) as tf.Scalar,
  // residuals |labels − z| fall on both sides of δ = 1, at least 0.2 from it
  'losses.huberLoss': (x) =>
    tf.losses.huberLoss(tf.tensor2d([[0.1, 0.5, 0.3], [2.2, -2.5, -0.4]]), grid(x), undefined, 1) as tf.Scalar,
  'losses.logLoss': (x) => tf.losses.logLoss(labels01(), tf.sigmoid(tf.mul(grid(x), 2))) as tf.Scalar,
};

/** Runs `fn` in a tidy scope and reads its tensor back as float64. */
function readBack(fn: () => tf.Tensor): Float64Array {
  const t = tf.tidy(fn);
  const out = Float64Array.from(t.dataSync());
  t.dispose();
  return out;
}

const gradientAt = (f: FlatObjective, x: number[]): Float64Array =>
  readBack(() => tf.grad((y: tf.Tensor) => f(y as tf.Tensor1D))(tf.tensor1d(x)));

/** (g(x + hv) − g(x − hv)) / 2h, Richardson-combined over h and h/2. */
function finiteDifferenceHvp(f: FlatObjective, x: number[], v: number[], h: number): Float64Array {
  const central = (step: number) => {
    const plus = gradientAt(f, x.map((xi, i) => xi + step * v[i]));
    const minus = gradientAt(f, x.map((xi, i) => xi - step * v[i]));
    return plus.map((p, i) => (p - minus[i]) / (2 * step));
  };
  const coarse = central(h);
  const fine = central(h / 2);
  return fine.map((d, i) => (4 * d - coarse[i]) / 3);
}

const norm = (a: ArrayLike<number>) => Math.sqrt(Array.from(a).reduce((s, ai) => s + ai * ai, 0));

describe('second-order gradients', () => {
  before(() => registerSecondOrderGradients());

  forEachBackend(() => {
    for (const [name, f] of Object.entries(cases)) {
      it(`HVP of ${name} matches finite differences of the gradient`, () => {
        const before = tf.memory().numTensors;
        const hvp = readBack(() => hessianVectorProduct(f, tf.tensor1d(x0), tf.tensor1d(v0)));
        assert.equal(tf.memory().numTensors, before);
        const fd = finiteDifferenceHvp(f, x0, v0, 0.02);
        const error = norm(hvp.map((hi, i) => hi - fd[i]));
        assert.ok(norm(fd) > 1e-2, 'the test should exercise a nonzero curvature');
        assert.ok(error / norm(fd) < 1e-3, `relative error ${error / norm(fd)}: hvp ${Array.from(hvp)} vs fd ${Array.from(fd)}`);
      });
    }

    it('rejects maxPool3d with a clear message instead of a wrong number', () => {
      const f: FlatObjective = (x) =>
        tf.sum(tf.square(tf.maxPool3d(tf.reshape(tf.concat([x, x]).slice(0, 4), [1, 1, 2, 2, 1]) as tf.Tensor5D, [1, 2, 2], 1, 'valid'))) as tf.Scalar;
      assert.throws(() => tf.tidy(() => hessianVectorProduct(f, tf.tensor1d(x0), tf.tensor1d(v0))), {
        message: 'second derivative not supported for op maxPool3d',
      });
    });

    it('keeps first derivatives bit-identical for every replaced gradient', () => {
      const x = tf.tensor2d([[-1.3, -0.2, 0, 0.4], [0.9, 1.7, -2.5, 3.1]]);
      const positiveX = tf.abs(x).add(0.1);
      const kernels: Record<string, { inputs: Record<string, tf.Tensor>; attrs: tf.NamedAttrMap }> = {
        Tanh: { inputs: { x }, attrs: {} },
        Exp: { inputs: { x }, attrs: {} },
        Sigmoid: { inputs: { x }, attrs: {} },
        Elu: { inputs: { x }, attrs: {} },
        Softmax: { inputs: { logits: x }, attrs: { dim: 1 } },
        Pow: { inputs: { a: positiveX, b: x }, attrs: {} },
      };
      assert.deepEqual([...originalGradients().keys()].sort(), Object.keys(kernels).sort());
      const dy = tf.tensor2d([[0.3, -1.1, 2.0, 0.7], [-0.4, 0.9, 1.3, -2.2]]);
      for (const [kernelName, { inputs, attrs }] of Object.entries(kernels)) {
        const output = tf.engine().runKernel(kernelName, inputs, attrs) as tf.Tensor;
        const savedFor = (config: tf.GradConfig) => [
          ...(config.inputsToSave ?? []).map((name) => inputs[name]),
          ...(config.outputsToSave?.[0] ? [output] : []),
        ];
        const original = originalGradients().get(kernelName) as tf.GradConfig;
        const fixed = tf.getGradient(kernelName) as tf.GradConfig;
        const before = original.gradFunc(dy, savedFor(original), attrs);
        const after = fixed.gradFunc(dy, savedFor(fixed), attrs);
        for (const name of Object.keys(inputs)) {
          assert.deepEqual(Array.from(after[name]().dataSync()), Array.from(before[name]().dataSync()), `${kernelName} d/d${name}`);
        }
      }
    });
  });
});
