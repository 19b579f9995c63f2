import * as tf from '@tensorflow/tfjs';

/**
 * Schedule-free learning (Defazio et al. 2024, "The Road Less Scheduled", arXiv:2405.15682) on noisy
 * least squares: fit w in y = X·w + noise on 400 generated points with 8 features (mean squared error,
 * mini-batches of 8). Mini-batch gradients stay noisy at the minimum, so at a constant lr Adam(W)
 * wanders around it at a noise floor set by the lr; a schedule that decays the lr to 0 (cosine) removes
 * that floor, but needs the run's length in advance. Schedule-free AdamW keeps the lr constant and
 * instead averages its iterates: gradients are taken at y, the loss and the answer are at the average x.
 *
 * Try (the schedule-free warm-up is the rule's own, --hp warmup_steps=N; leave --schedule constant):
 *   optlab run examples/scheduleFree.ts --optimizer adamw --lr 0.05 --hp weight_decay=0 --steps 1000
 *   optlab run examples/scheduleFree.ts --optimizer adamw --lr 0.05 --hp weight_decay=0 --steps 1000 --schedule cosine:T_max=1000
 *   optlab run examples/scheduleFree.ts --optimizer schedule-free-adamw --lr 0.05 --steps 1000
 *   optlab run examples/scheduleFree.ts --optimizer schedule-free-sgd --lr 0.05 --steps 1000
 *
 * Measured with the CLI (seed 0; final loss = mean squared error on all 400 points; the best w has 0.2724,
 * adamw with cosine:T_max=5000 over 5000 steps ends at 0.27241):
 *   1000 steps: adamw constant lr 0.3058; adamw cosine:T_max=1000 0.2725; schedule-free-adamw 0.2726;
 *               schedule-free-sgd 0.2725.
 *   300 steps:  adamw constant lr 0.2948; adamw cosine:T_max=1000 (planned for 1000, stopped early) 0.2884;
 *               schedule-free-adamw 0.2739.
 * Both compile (the loop measures the loss at x with one more objective call per step): about 3,400
 * steps/s for schedule-free-adamw here, 3,700 for adamw; --no-compile runs it on tensors at about 340.
 *
 * Lesson: averaging the iterates does what a decaying schedule does, without knowing when the run ends:
 * the run's losses are reported at x (the CLI and the dashboard say so), where the answer is.
 */
export function noisyLeastSquares(p: { w: tf.Tensor2D }, batch: { x: tf.Tensor2D; y: tf.Tensor2D }): tf.Scalar {
  return tf.mean(tf.square(tf.sub(tf.matMul(batch.x, p.w), batch.y))) as tf.Scalar;
}
noisyLeastSquares.init = { w: { shape: [8, 1] } };
/** Generated from the run's seed: x ~ N(0, 1)⁸, y = x·w* + N(0, 0.5²) with w* = (1, −1, 0.5, −0.5, 2, −2, 0.25, 0). */
noisyLeastSquares.data = (rng: { normal(mean: number, std: number): number }) => {
  const wStar = [1, -1, 0.5, -0.5, 2, -2, 0.25, 0];
  const x: number[][] = [];
  const y: number[][] = [];
  for (let i = 0; i < 400; i++) {
    const xi = wStar.map(() => rng.normal(0, 1));
    x.push(xi);
    y.push([xi.reduce((s, v, j) => s + v * wStar[j], 0) + rng.normal(0, 0.5)]);
  }
  return { x, y };
};
noisyLeastSquares.batchSize = 8;
