import * as tf from '@tensorflow/tfjs';

/**
 * A small MLP (2 → 8 tanh → 1) regressing a smooth target, with and without
 * batch normalisation of the hidden pre-activations (seed 001).
 *
 * Try (both objectives, same lr, then raise the lr):
 *   optlab run examples/batchNorm.ts --objective plain --optimizer sgd --lr 0.01 --steps 2000 --curvature-every 1000
 *   optlab run examples/batchNorm.ts --objective batchNormed --optimizer sgd --lr 0.01 --steps 2000 --curvature-every 1000
 *   (then --lr 0.003, 0.03, 0.1; or use the Hessian lens on each objective)
 *
 * The raw inputs are badly scaled (around 5 ± 0.6 and 0 ± 0.1). Batch norm
 * standardises each hidden unit over the batch, so the network no longer
 * feels that scale. Measured (full batch, 2000 steps, λmax = largest Hessian
 * eigenvalue at the end; 2/lr is gradient descent's stability edge):
 *   lr      plain: loss   λmax    batchNormed: loss   λmax
 *   0.003          0.403  116.8                0.0949  16.3
 *   0.01           0.227  231.5                0.0288  48.5
 *   0.03           0.330   44.9                0.0192  50.4
 *   0.1            0.623   31.2                0.0151  18.6
 * Without batch norm the curvature grows until it reaches the stability edge
 * (231.5 ≥ 2/0.01 = 200) and training stalls around loss 0.2–0.4; a larger lr
 * only makes it worse. With batch norm the landscape stays 5–7× flatter at the
 * same lr (16.3 vs 116.8, 48.5 vs 231.5) and the largest lr tried trains best.
 * (At the random start batch norm is not flatter: λmax 90.6 vs 56.1.)
 *
 * The condition number κ = λmax/λmin: the lens shows it only where the Hessian
 * is positive definite. Here λmin < 0 at every sample of both networks (e.g.
 * −0.099 plain and −0.176 batch-normed at lr 0.003, step 2000): a network
 * mid-training sits on slightly non-convex ground, so κ is undefined ("—") and
 * λmax is the number that limits the learning rate.
 *
 * Second derivatives: tanh, moments, sqrt and division all have exact
 * Hessian-vector products here (the runner fixes TensorFlow.js's tanh gradient).
 *
 * Spectral density (issue 21's example: the whole spectrum before and after
 * training, with and without batch norm). Run with --spectrum, or press
 * "density" on the dashboard's Curvature card before Run; the Spectral density
 * card draws it ("bulk" for the bulk on a linear axis):
 *   optlab run examples/batchNorm.ts --objective plain --optimizer sgd --lr 0.01 --steps 2000 --curvature-every 2000 --spectrum
 *   optlab run examples/batchNorm.ts --objective batchNormed --optimizer sgd --lr 0.01 --steps 2000 --curvature-every 2000 --spectrum
 * Measured (exact: the Hessian is formed at n = 33 and 41 parameters):
 *   objective    step  tr(H)  λmax   λmin    weight below 0  weight in |λ| < 1
 *   plain           0   71.0   56.1  −1.68       18 %             85 %
 *   plain        2000  148.1  168.2  −11.1       21 %             85 %
 *   batchNormed     0   96.0   90.6  −4.72       49 %             78 %
 *   batchNormed  2000   64.7   48.5  −0.018      22 %             90 %
 * Training the plain network spreads its spectrum outwards (the trace doubles,
 * the negative tail reaches −11); with batch norm the trace falls by a third
 * and the bulk gathers at 0: the flatness λmax shows holds for the whole
 * spectrum, not only its top.
 *
 * Lesson: batch norm does not make the problem convex; it makes the loss
 * flatter along training, so larger steps stay stable.
 */

/** A fixed seeded generator (mulberry32): the same data on every run and machine. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * 64 samples with raw, badly scaled features, as they often come: the first
 * around 5 ± 1, the second around 0 ± 0.2. Target sin(u) + u·v with the
 * standardised features u, v.
 */
function rawFeatures(): { x: number[][]; y: number[][] } {
  const rand = seeded(1);
  const x: number[][] = [];
  const y: number[][] = [];
  for (let i = 0; i < 64; i++) {
    const u = 2 * rand() - 1;
    const v = 2 * rand() - 1;
    x.push([5 + u, 0.2 * v]);
    y.push([Math.sin(2 * u) + u * v]);
  }
  return { x, y };
}
const DATA = rawFeatures();
/** L2 penalty: batch norm makes the loss blind to the scale of w1, which would leave a flat (zero-curvature) direction. */
const WEIGHT_DECAY = 1e-3;

const sumSquares = (ts: tf.Tensor[]): tf.Scalar => tf.addN(ts.map((t) => tf.sum(tf.square(t)))) as tf.Scalar;

export function plain(p: { w1: tf.Tensor2D; b1: tf.Tensor1D; w2: tf.Tensor2D; b2: tf.Tensor1D }, batch: { x: tf.Tensor2D; y: tf.Tensor2D }): tf.Scalar {
  const hidden = tf.tanh(tf.add(tf.matMul(batch.x, p.w1), p.b1));
  const out = tf.add(tf.matMul(hidden, p.w2), p.b2);
  const mse = tf.mean(tf.square(tf.sub(out, batch.y)));
  return tf.add(mse, tf.mul(0.5 * WEIGHT_DECAY, sumSquares([p.w1, p.w2]))) as tf.Scalar;
}
plain.init = (rng: { normals(shape: number[], std?: number): unknown }) => ({
  w1: rng.normals([2, 8], 1),
  b1: { shape: [8] },
  w2: rng.normals([8, 1], 0.5),
  b2: [0],
});
plain.data = DATA;

export function batchNormed(
  p: { w1: tf.Tensor2D; gamma: tf.Tensor1D; beta: tf.Tensor1D; w2: tf.Tensor2D; b2: tf.Tensor1D },
  batch: { x: tf.Tensor2D; y: tf.Tensor2D },
): tf.Scalar {
  const pre = tf.matMul(batch.x, p.w1);
  // Batch statistics of each hidden unit (a bias before batch norm would cancel, so there is none).
  const { mean, variance } = tf.moments(pre, 0);
  const normed = tf.div(tf.sub(pre, mean), tf.sqrt(tf.add(variance, 1e-5)));
  const hidden = tf.tanh(tf.add(tf.mul(normed, p.gamma), p.beta));
  const out = tf.add(tf.matMul(hidden, p.w2), p.b2);
  const mse = tf.mean(tf.square(tf.sub(out, batch.y)));
  return tf.add(mse, tf.mul(0.5 * WEIGHT_DECAY, sumSquares([p.w1, p.gamma, p.w2]))) as tf.Scalar;
}
batchNormed.init = (rng: { normals(shape: number[], std?: number): unknown }) => ({
  w1: rng.normals([2, 8], 1),
  gamma: { shape: [8], fill: 1 },
  beta: { shape: [8] },
  w2: rng.normals([8, 1], 0.5),
  b2: [0],
});
batchNormed.data = DATA;
