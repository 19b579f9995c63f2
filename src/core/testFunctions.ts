import * as tf from '@tensorflow/tfjs';

/**
 * Standard test objectives as functions of the flat parameter vector, shared by
 * the torch parity fixtures (test/fixtures/torch/generate.py builds the same
 * numbers from the same formulas), benchmarks and examples. Only first-order-safe
 * ops that have gradients on the cpu and wasm backends are used.
 */
export interface TestFunction {
  readonly id: string;
  /** Number of parameters. */
  readonly n: number;
  /** The customary starting point. */
  readonly x0: readonly number[];
  /** Value at the minimiser, when known in closed form. */
  readonly minimum?: number;
  readonly f: (x: tf.Tensor1D) => tf.Scalar;
  /** The same function on every row of a K×n matrix (K losses), for batched sweeps (src/core/sweep.ts). */
  readonly fBatch?: (x: tf.Tensor2D) => tf.Tensor1D;
}

/**
 * Rosenbrock's chain form Σ_{i<n−1} 100(x_{i+1} − x_i²)² + (1 − x_i)², minimum 0 at (1, …, 1);
 * start (−1.2, 1, −1.2, 1, …).
 */
export function rosenbrock(n = 2): TestFunction {
  if (!Number.isInteger(n) || n < 2) throw new Error(`rosenbrock needs n >= 2, got ${n}`);
  return {
    id: 'rosenbrock',
    n,
    x0: Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -1.2 : 1)),
    minimum: 0,
    f: (x) =>
      tf.tidy(() => {
        const head = x.slice(0, n - 1);
        const tail = x.slice(1, n - 1);
        const valley = tf.square(tf.sub(tail, tf.square(head))).mul(100);
        return tf.sum(tf.add(valley, tf.square(tf.sub(1, head)))) as tf.Scalar;
      }),
    fBatch: (x) =>
      tf.tidy(() => {
        const head = x.slice([0, 0], [-1, n - 1]);
        const tail = x.slice([0, 1], [-1, n - 1]);
        const valley = tf.square(tf.sub(tail, tf.square(head))).mul(100);
        return tf.sum(tf.add(valley, tf.square(tf.sub(1, head))), 1) as tf.Tensor1D;
      }),
  };
}

export interface Quadratic extends TestFunction {
  /** Rotation, row-major n×n (float32 values). */
  readonly q: readonly (readonly number[])[];
  /** Eigenvalues of the Hessian QᵀDQ (float32 values). */
  readonly d: readonly number[];
}

/**
 * f(x) = ½ Σ d_i (Qx)_i², an ill-conditioned quadratic (minimum 0 at 0) with
 * Q = I − 2vvᵀ/(vᵀv), v = (1, 2, …, n), a Householder reflection, and
 * d_i = κ^{i/(n−1)}, so the condition number is κ. Start x0_i = (−1)^i (1 + i/4).
 */
export function illConditionedQuadratic(n = 6, kappa = 100): Quadratic {
  if (!Number.isInteger(n) || n < 2) throw new Error(`the quadratic needs n >= 2, got ${n}`);
  const v = Array.from({ length: n }, (_, i) => i + 1);
  const vv = v.reduce((s, a) => s + a * a, 0);
  const q = v.map((vi, i) => v.map((vj, j) => Math.fround((i === j ? 1 : 0) - (2 * vi * vj) / vv)));
  const d = Array.from({ length: n }, (_, i) => Math.fround(kappa ** (i / (n - 1))));
  const qFlat = Float32Array.from(q.flat());
  const dFlat = Float32Array.from(d);
  return {
    id: 'quadratic',
    n,
    x0: Array.from({ length: n }, (_, i) => (1 + i / 4) * (i % 2 === 0 ? 1 : -1)),
    minimum: 0,
    q,
    d,
    f: (x) =>
      tf.tidy(() => {
        const qx = tf.matMul(tf.tensor2d(qFlat, [n, n]), x.reshape([n, 1])).reshape([n]);
        return tf.sum(tf.mul(tf.tensor1d(dFlat), tf.square(qx))).mul(0.5) as tf.Scalar;
      }),
  };
}

export interface Logistic extends TestFunction {
  /** Design matrix, m rows of 3 features and a bias column of ones. */
  readonly a: readonly (readonly number[])[];
  /** Labels ±1. */
  readonly y: readonly number[];
  readonly l2: number;
}

/**
 * L2-regularised logistic regression on a small deterministic, non-separable data set:
 * f(w) = mean_i log(1 + exp(−y_i (Aw)_i)) + ½ l2 |w|².
 * Features a_ij = (((7i + 5j + 3ij) mod 11) − 5)/4 (exact in float32) plus a bias column;
 * labels y_i = sign(a_i · (1, −2, 0.5, 0.25)) (0 counts as +1), flipped when i mod 5 = 2.
 * Start w0 = (0.5, 0.5, −0.5, 0.5).
 */
export function logisticRegression(m = 24, l2 = 0.01): Logistic {
  const wTrue = [1, -2, 0.5, 0.25];
  const a = Array.from({ length: m }, (_, i) => [
    ...[0, 1, 2].map((j) => (((7 * i + 5 * j + 3 * i * j) % 11) - 5) / 4),
    1,
  ]);
  const y = a.map((row, i) => {
    const label = row.reduce((s, aij, j) => s + aij * wTrue[j], 0) >= 0 ? 1 : -1;
    return i % 5 === 2 ? -label : label;
  });
  const aFlat = Float32Array.from(a.flat());
  const yFlat = Float32Array.from(y);
  return {
    id: 'logistic',
    n: 4,
    x0: [0.5, 0.5, -0.5, 0.5],
    a,
    y,
    l2,
    f: (w) =>
      tf.tidy(() => {
        const margin = tf.matMul(tf.tensor2d(aFlat, [m, 4]), w.reshape([4, 1])).reshape([m]);
        const z = tf.neg(tf.mul(tf.tensor1d(yFlat), margin));
        const data = tf.mean(tf.log1p(tf.exp(z)));
        return tf.add(data, tf.sum(tf.square(w)).mul(0.5 * l2)) as tf.Scalar;
      }),
  };
}
