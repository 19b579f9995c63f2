import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { relativeError } from '../../../../src/core/compiled/agreement';
import { compileHessian } from '../../../../src/core/compiled/compileHessianOperator';
import { compileVectorFunction } from '../../../../src/core/compiled/compileVectorFunction';
import { NotCompilable } from '../../../../src/core/compiled/program';
import { hessianVectorProduct } from '../../../../src/core/curvature/hvp';
import { rosenbrock } from '../../../../src/core/testFunctions';
import { useCpuBackend } from './compiledCheck';

const wave = (n: number, phase: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(phase + 0.7 * i));

describe('compiled programs: Hessian-vector products, projections and their agreement check', () => {
  useCpuBackend();

  it('H(x)·v compiles once and matches TensorFlow.js at other points and vectors', () => {
    const n = 12;
    const f = rosenbrock(n).f;
    const before = tf.memory().numTensors;
    const x0 = tf.tensor1d(wave(n, 0));
    const hessian = compileHessian(f, x0);
    x0.dispose();
    for (const phase of [0.3, 1.1, 2.5]) {
      const x = wave(n, phase);
      const v = wave(n, 2 * phase + 1);
      const out = new Float32Array(n);
      hessian.apply(x, v, out);
      const expected = tf.tidy(() => hessianVectorProduct(f, tf.tensor1d(x), tf.tensor1d(v)).dataSync() as Float32Array);
      assert.ok(relativeError(out, Float32Array.from(expected)) < 1e-5, `phase ${phase}: ${relativeError(out, Float32Array.from(expected))}`);
    }
    assert.equal(tf.memory().numTensors, before);
  });

  it('the tensor operator form gives the same product (Lanczos and exact spectra use it)', () => {
    const n = 6;
    const f = rosenbrock(n).f;
    const x = tf.tensor1d(wave(n, 0.4));
    const v = tf.tensor1d(wave(n, 1.9));
    const hv = compileHessian(f, x).at(x)(v);
    const expected = hessianVectorProduct(f, x, v);
    assert.ok(relativeError(hv.dataSync() as Float32Array, expected.dataSync() as Float32Array) < 1e-5);
    tf.dispose([x, v, hv, expected]);
  });

  it('refuses a Hessian whose computation changes from call to call', () => {
    const noisy = (x: tf.Tensor1D) => tf.sum(tf.mul(tf.square(x), tf.randomUniform(x.shape))) as tf.Scalar;
    const x = tf.tensor1d(wave(4, 0));
    assert.throws(() => compileHessian(noisy, x), NotCompilable);
    x.dispose();
  });

  it('projections compile: the ball and the box match TensorFlow.js inside and outside the set', () => {
    const ball = (x: tf.Tensor1D) => tf.tidy(() => tf.mul(x, tf.minimum(1, tf.divNoNan(tf.scalar(1.5), tf.norm(x)))) as tf.Tensor1D);
    const box = (x: tf.Tensor1D) => tf.tidy(() => tf.minimum(tf.maximum(x, -0.5), 0.25) as tf.Tensor1D);
    for (const [name, fn] of [['ball', ball], ['box', box]] as const) {
      const projection = compileVectorFunction(fn, wave(5, 0));
      for (const scale of [0.1, 3]) {
        const x = wave(5, 0.9).map((v) => v * scale);
        const out = new Float32Array(5);
        projection.apply(x, out);
        const expected = tf.tidy(() => fn(tf.tensor1d(x)).dataSync() as Float32Array);
        assert.ok(relativeError(out, Float32Array.from(expected)) < 1e-6, `${name} at scale ${scale}`);
      }
      // In place, as the loop applies it.
      const y = wave(5, 2).map((v) => 4 * v);
      const expected = tf.tidy(() => Float32Array.from(fn(tf.tensor1d(y)).dataSync()));
      projection.apply(y, y);
      assert.deepEqual(Array.from(y), Array.from(expected));
    }
  });

  it('the agreement check: equal NaN/Inf agree, one-sided NaN or Inf always fails, else relative to max|b|', () => {
    const f = (...v: number[]) => Float32Array.from(v);
    assert.equal(relativeError(f(1, NaN, -Infinity), f(1, NaN, -Infinity)), 0);
    assert.equal(relativeError(f(NaN, 2), f(1, 2)), Infinity);
    assert.equal(relativeError(f(1, 2, 3), f(1, 2, Infinity)), Infinity);
    // A NaN early must not be hidden by a later finite difference.
    assert.equal(relativeError(f(NaN, 2.5), f(1, 2)), Infinity);
    assert.ok(Math.abs(relativeError(f(1, 2.5), f(1, 2)) - 0.25) < 1e-7);
    assert.equal(relativeError(f(0, 0.5), f(0, 0)), 0.5);
  });
});
