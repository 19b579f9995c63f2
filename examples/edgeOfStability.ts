import * as tf from '@tensorflow/tfjs';

/**
 * The edge of stability (Cohen, Kaur, Li, Kolter, Talwalkar 2021): full-batch gradient descent on a 1 → 32 tanh → 1
 * MLP fitting y = sin(4x) + noise (64 points), at three learning rates.
 *
 * Try (the dashboard's "Edge of stability" chart draws the sharpness λmax and its limit 2/lr):
 *   optlab run examples/edgeOfStability.ts --optimizer sgd --lr 0.05 --steps 6000 --curvature-every 500
 *   optlab run examples/edgeOfStability.ts --optimizer sgd --lr 0.12 --steps 6000 --curvature-every 500
 *   optlab run examples/edgeOfStability.ts --optimizer sgd --lr 0.15 --steps 6000 --curvature-every 500
 *
 * Classical analysis says gradient descent on a quadratic diverges once λmax > 2/lr. The network starts with
 * λmax = 19.3 (seed 0). Measured (seed 0, samples every 500 steps, final loss 0.009 in all three):
 *   lr 0.05 (2/lr = 40): λmax drifts up to 20.8 and stays far below the edge;
 *   lr 0.12 (2/lr = 16.7): λmax falls to 15.4 within 500 steps, then creeps back up to 15.7 and stays just under it;
 *   lr 0.15 (2/lr = 13.3): the start is past the edge, yet the run does not diverge: λmax falls to the edge and
 *     hovers there (13.1–13.5) for the rest of the run, while the loss keeps falling (not monotonically).
 *
 * Lesson: the learning rate shapes where training goes, not only how fast: gradient descent steers itself to
 * regions whose sharpness is about 2/lr, and there it sits "at the edge" (the lens says so), where the quadratic
 * model predicts divergence.
 *
 * Per step (--diagnostics full adds the per-tensor norms and the step-size gauge; measured at lr 0.15, 3000 steps):
 * the loss climbs back from 0.009 to 0.046 at step 1,759 (a catapult), and every tensor's ‖∇θ‖ grows 200- to
 * 2,500-fold from step 1,500 to 1,752; ‖Δθ‖/‖θ‖ of the output bias b2 reaches 0.28 there, of w1 5e-3. The gauge α
 * is 1.86 on the first update (the loss rises from 0.84 to 5.96), about −0.99 in the quiet stretches (a deep
 * understep: the gradient points along flat directions), and about +1 through steps 1,600–2,100 (each step lands
 * on the valley's other side).
 */
export function sharpening(p: { w1: tf.Tensor2D; b1: tf.Tensor1D; w2: tf.Tensor2D; b2: tf.Tensor1D }, batch: { x: tf.Tensor2D; y: tf.Tensor2D }): tf.Scalar {
  const hidden = tf.tanh(tf.add(tf.matMul(batch.x, p.w1), p.b1));
  const out = tf.add(tf.matMul(hidden, p.w2), p.b2);
  return tf.mean(tf.square(tf.sub(out, batch.y))) as tf.Scalar;
}
sharpening.init = (rng: { normals(shape: number[], std?: number): unknown }) => ({
  w1: rng.normals([1, 32], 1),
  b1: rng.normals([32], 1),
  w2: rng.normals([32, 1], 0.1),
  b2: [0],
});
/** Generated from the run's seed: x uniform in [−1, 1], y = sin(4x) + N(0, 0.1²); no batchSize: every step sees all 64. */
sharpening.data = (rng: { uniform(lo: number, hi: number): number; normal(mean: number, std: number): number }) => {
  const x: number[][] = [];
  const y: number[][] = [];
  for (let i = 0; i < 64; i++) {
    const xi = rng.uniform(-1, 1);
    x.push([xi]);
    y.push([Math.sin(4 * xi) + rng.normal(0, 0.1)]);
  }
  return { x, y };
};
