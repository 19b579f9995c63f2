import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { compileHessian } from '../../../../src/core/compiled/compileHessianOperator';
import { traceProgram } from '../../../../src/core/compiled/traceProgram';
import { hessianVectorProduct, type FlatObjective } from '../../../../src/core/curvature/hvp';
import { withSecondOrder } from '../../../../src/core/tfjs/secondOrderGradients';
import { forEachBackend } from '../../helpers/backends';
import { EXAMPLES, runInProcess } from '../../runner/runInProcess';

/*
 * Second derivatives through max and average pooling (src/core/tfjs/poolSecondOrder.ts), on cpu and
 * wasm. MaxPoolGrad and AvgPoolGrad are linear in their upstream gradient dy, so their gradient in
 * dy must be their adjoint: <PoolGrad(dy), d> = <dy, ∇_dy <PoolGrad(dy), d>> for any dy, d. The HVP
 * by double backprop is then the transpose of the gradient's Jacobian J: u·(Hv) = v·(J u), J u by
 * finite differences of TensorFlow.js's gradient, and without windows over the edge Hv = J v.
 * TensorFlow.js's average-pool gradient (first order) divides a window over the edge by the whole
 * window while its forward divides by the elements inside, so there its "Hessian" is neither J
 * nor Jᵀ; those cases check the adjoint only. The compiled Hessian (MaxPoolGradGrad as a call) must
 * give TensorFlow.js's HVP at another point than the one it was traced at.
 */

const SHAPE = [2, 5, 5, 2] as const;
const N = SHAPE.reduce((a, b) => a * b, 1);
/** Distinct values at least 0.01 apart (a permutation of a grid): no window's maximum moves within ±1e-3. */
const x0 = Array.from({ length: N }, (_, i) => ((i * 37) % N) / N - 0.5);
const x1 = x0.map((_, i) => x0[N - 1 - i]);
const u = Array.from({ length: N }, (_, i) => Math.cos(0.7 * i + 0.3));
const v = Array.from({ length: N }, (_, i) => Math.sin(1.1 * i + 0.9));
const weights = Array.from({ length: 2 * 3 * 3 * 2 }, (_, i) => 0.5 + 0.1 * (i % 7));

interface Case {
  readonly kind: 'max' | 'avg';
  readonly filter: number;
  readonly strides: number;
  readonly pad: 'valid' | 'same' | number;
  /** A window hangs over the image's edge. */
  readonly clipped: boolean;
}

const CASES: Case[] = [
  { kind: 'max', filter: 2, strides: 2, pad: 'valid', clipped: false },
  { kind: 'max', filter: 3, strides: 2, pad: 'same', clipped: true },
  { kind: 'max', filter: 3, strides: 1, pad: 'valid', clipped: false },
  { kind: 'avg', filter: 3, strides: 1, pad: 'valid', clipped: false },
  { kind: 'avg', filter: 3, strides: 2, pad: 'same', clipped: true },
  { kind: 'avg', filter: 3, strides: 2, pad: 1, clipped: true },
];

/** Σ w·pool(tanh(1.5 x))²: curvature from tanh and the square, both on either side of the pool. */
function objective(c: Case): FlatObjective {
  return (x) => {
    const z = tf.reshape(tf.tanh(tf.mul(1.5, x)), [...SHAPE]) as tf.Tensor4D;
    const pooled = c.kind === 'max' ? tf.maxPool(z, c.filter, c.strides, c.pad) : tf.avgPool(z, c.filter, c.strides, c.pad);
    const w = tf.tensor(weights.slice(0, pooled.size), pooled.shape);
    return tf.sum(tf.mul(w, tf.square(pooled))) as tf.Scalar;
  };
}

const read = (fn: () => tf.Tensor): Float64Array => {
  const t = tf.tidy(fn);
  const values = Float64Array.from(t.dataSync());
  t.dispose();
  return values;
};
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, ai, i) => s + ai * b[i], 0);
const norm = (a: ArrayLike<number>) => Math.sqrt(dot(a, a));

/** J·d: central differences of TensorFlow.js's gradient along d, Richardson-combined over h and h/2. */
function jacobianTimes(f: FlatObjective, x: number[], d: number[], h = 1e-3): Float64Array {
  const grad = (at: number[]) => read(() => tf.grad((y: tf.Tensor) => f(y as tf.Tensor1D))(tf.tensor1d(at)));
  const central = (s: number) => {
    const plus = grad(x.map((xi, i) => xi + s * d[i]));
    const minus = grad(x.map((xi, i) => xi - s * d[i]));
    return plus.map((p, i) => (p - minus[i]) / (2 * s));
  };
  const coarse = central(h);
  return central(h / 2).map((fine, i) => (4 * fine - coarse[i]) / 3);
}

const hvpAt = (f: FlatObjective, x: number[], d: number[]) => read(() => hessianVectorProduct(f, tf.tensor1d(x), tf.tensor1d(d)));

describe('second derivatives through max and average pooling', function () {
  this.timeout(120_000);

  forEachBackend(() => {
    for (const c of CASES) {
      const what = `${c.kind} pool ${c.filter}×${c.filter} stride ${c.strides} pad ${JSON.stringify(c.pad)}`;

      it(`${what}: the gradient of the pooling's gradient in its upstream gradient is its adjoint`, () => {
        const z = tf.tanh(tf.reshape(tf.tensor1d(x0), [...SHAPE])) as tf.Tensor4D;
        const pool = (t: tf.Tensor4D) => (c.kind === 'max' ? tf.maxPool(t, c.filter, c.strides, c.pad) : tf.avgPool(t, c.filter, c.strides, c.pad));
        const outShape = tf.tidy(() => pool(z).shape);
        const d = tf.reshape(tf.tensor1d(u), [...SHAPE]);
        // PoolGrad(dy) = ∇_z <pool(z), dy>; s(dy) = <PoolGrad(dy), d>.
        const s = (dy: tf.Tensor) => withSecondOrder(() => tf.sum(tf.mul(tf.grad((t: tf.Tensor) => tf.sum(tf.mul(pool(t as tf.Tensor4D), dy)))(z), d)));
        const before = tf.memory().numTensors;
        for (const offset of [0.4, 2.9]) {
          const dy = tf.tensor(Array.from({ length: tf.util.sizeFromShape(outShape) }, (_, i) => Math.sin(1.9 * i + offset)), outShape);
          const adjoint = read(() => withSecondOrder(() => tf.grad(s)(dy)));
          const direct = read(() => s(dy))[0];
          const viaAdjoint = dot(adjoint, dy.dataSync());
          assert.ok(Math.abs(direct) > 1e-2 && Math.abs(viaAdjoint - direct) <= 1e-5 * Math.abs(direct), `<PoolGrad(dy), d> ${direct} vs <dy, adjoint(d)> ${viaAdjoint}`);
          dy.dispose();
        }
        assert.equal(tf.memory().numTensors, before, 'tensors leaked');
        tf.dispose([z, d]);
      });

      if (!(c.kind === 'avg' && c.clipped)) {
        it(`${what}: u·(Hv) equals v·(J u), J the Jacobian of TensorFlow.js's gradient${c.clipped ? '' : ', and Hv = J v'}`, () => {
          const f = objective(c);
          const before = tf.memory().numTensors;
          const hv = hvpAt(f, x0, v);
          assert.equal(tf.memory().numTensors, before, 'tensors leaked');
          const ju = jacobianTimes(f, x0, u);
          const jv = jacobianTimes(f, x0, v);
          assert.ok(norm(hv) > 1e-2, 'the test should exercise a nonzero curvature');
          const scale = norm(u) * Math.max(norm(hv), norm(jv));
          assert.ok(Math.abs(dot(u, hv) - dot(v, ju)) <= 1e-4 * scale, `u·Hv ${dot(u, hv)} vs v·Ju ${dot(v, ju)}`);
          if (!c.clipped) {
            const error = norm(hv.map((h, i) => h - jv[i]));
            assert.ok(error <= 1e-3 * norm(jv), `relative error ${error / norm(jv)}`);
          }
        });
      }

      it(`${what}: the compiled Hessian gives TensorFlow.js's HVP at a point with other maxima`, () => {
        const f = objective(c);
        const x = tf.tensor1d(x0);
        const before = tf.memory().numTensors;
        const compiled = compileHessian(f, x);
        assert.equal(tf.memory().numTensors, before, 'tensors leaked');
        x.dispose();
        const out = new Float32Array(N);
        compiled.apply(Float32Array.from(x1), Float32Array.from(v), out);
        const expected = hvpAt(f, x1, v);
        const error = norm(Array.from(out, (o, i) => o - expected[i]));
        assert.ok(norm(expected) > 1e-2 && error <= 1e-5 * norm(expected), `relative error ${error / norm(expected)}`);
      });
    }

    it("the max pool's HVP traces MaxPoolGradGrad, a window's maximum's element of the upstream direction", () => {
      const f = objective(CASES[0]);
      const inputs = [tf.tensor1d(x0), tf.tensor1d(v)];
      const { program } = withSecondOrder(() => traceProgram((x, d) => [hessianVectorProduct(f, x as tf.Tensor1D, d as tf.Tensor1D)], inputs));
      tf.dispose(inputs);
      const kernels = program.nodes.map((n) => n.kernel);
      assert.ok(kernels.includes('MaxPoolGradGrad') && kernels.includes('MaxPoolGrad'), kernels.join(' '));
    });
  });

  it('examples/smallCnn.ts samples curvature on wasm (conv, batch norm, relu, max pool compiled), where it used to stop at maxPool', async function () {
    this.timeout(300_000);
    for (const objective of ['plain', 'withBatchNorm']) {
      const r = await runInProcess({ file: `${EXAMPLES}/smallCnn.ts`, objective, optimizer: { id: 'sgd', lr: 0.1 }, steps: 2, curvatureEvery: 2 }, 'wasm');
      assert.equal(r.error, undefined);
      assert.equal(r.done?.curvatureError, undefined, JSON.stringify(r.done?.curvatureError));
      assert.deepEqual(r.curvature.map((s) => s.step), [0, 2], objective);
      // A cross-entropy's Hessian at a random start: positive curvature on top of the spectrum.
      for (const s of r.curvature) assert.ok(s.lambdaMax > 1 && Number.isFinite(s.lambdaMin), `${objective} step ${s.step}: ${s.lambdaMax}, ${s.lambdaMin}`);
      assert.equal(r.leaked, 0);
    }
  });
});
