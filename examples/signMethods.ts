import * as tf from '@tensorflow/tfjs';

/** Coordinate scales 0.1, 0.32, 1, 3.2, 10: curvatures 2s² from 0.02 to 200 (condition number 10⁴). */
const SCALES = [0.1, 0.316, 1, 3.16, 10];

/** Σ (sᵢ·(xᵢ − 1))²: every coordinate has to travel the same way to 1, but their gradients differ 100-fold. */
function scaledBowl(x: tf.Tensor1D): tf.Scalar {
  return tf.sum(tf.square(tf.mul(SCALES, tf.sub(x, 1))));
}

/**
 * Sign methods (Lion, Rprop) step by the same amount in every coordinate whatever its
 * gradient's size; Adam gets close by dividing by √v. Two objectives where that matters.
 *
 * badlyScaled: f(x) = Σ (sᵢ(xᵢ − 1))², s from 0.1 to 10, from xᵢ = 1 − √2 (f = 222).
 * Gradient descent must keep lr < 1/s_max² = 0.01, where the flattest coordinate
 * shrinks its error by only 2·lr·0.01 per step.
 *   optlab run examples/signMethods.ts --objective badlyScaled --optimizer sgd --lr 0.009 --steps 500
 *   optlab run examples/signMethods.ts --objective badlyScaled --optimizer adam --lr 0.01 --steps 500
 *   optlab run examples/signMethods.ts --objective badlyScaled --optimizer rprop --lr 0.01 --steps 500
 *   optlab run examples/signMethods.ts --objective badlyScaled --optimizer lion --lr 0.01 --steps 500
 *   optlab run examples/signMethods.ts --objective badlyScaled --optimizer lion --lr 0.03 --steps 500 --schedule cosine:T_max=500
 *
 * heavyTailed: the same bowl plus a linear term ξ·x, ξ the mean of a mini-batch of 8
 * draws of 0.2·z/√u (z normal, u uniform): symmetric, infinite variance, so now and then
 * a kick 100x the typical one. SGD's step is lr·kick; Lion's is lr whatever the kick;
 * Rprop reads every noisy sign flip as an overshoot and shrinks its steps.
 * (Same commands with --objective heavyTailed.)
 *
 * Lion's lr is how far every coordinate moves per step, so it must cover the distance
 * (here √2: 141 steps at lr 0.01, 471 at 0.003), and its steps never shrink on their own,
 * so it circles the minimum at constant lr: a schedule finishes the job. Try lr 1e-3 to
 * 3e-2, --hp betas=0.95,0.98 (the paper's setting for language models), and adopt or
 * ademamix (--hp alpha_warmup=500,beta3_warmup=500) beside adam.
 *
 * Measured with the CLI (seed 0), final loss after 500 steps:
 *                              badlyScaled  heavyTailed (minimum ≈ −0.02478: sgd, 20000 steps)
 *   sgd lr 0.009                  0.0498       0.0122
 *   adam lr 0.01                  7.2e-7      −0.0234
 *   rprop lr 0.01                 0 (exact)    0.0038
 *   lion lr 0.01                  0.0037      −0.0192
 *   lion lr 0.003                 0.82         0.79   (still on its way: √2 takes 471 steps)
 *   lion lr 0.03, cosine          6.5e-9      −0.02475
 * Lesson: the conditioning stalls gradient descent on the flat coordinate; per-coordinate
 * steps (Adam, Rprop, Lion) do not care. With heavy-tailed noise, sign steps stay bounded
 * and Lion's momentum averages the signs, while Rprop, built for full batches, stalls.
 */
export function badlyScaled(x: tf.Tensor1D): tf.Scalar {
  return scaledBowl(x);
}
/** 1 − √2 in every coordinate: no lr divides √2 evenly, so a sign method cannot land exactly on 1 by luck. */
const START = SCALES.map(() => 1 - Math.SQRT2);
badlyScaled.init = START;
badlyScaled.minimum = 0;

export function heavyTailed(x: tf.Tensor1D, batch: { xi: tf.Tensor2D }): tf.Scalar {
  return tf.add(scaledBowl(x), tf.mean(tf.matMul(batch.xi, x.reshape([-1, 1]))));
}
heavyTailed.init = START;
/** 512 noise vectors, 0.2·z/√u per coordinate: symmetric, mean 0, variance infinite (from the run's seed). */
heavyTailed.data = (rng: { normal(mean: number, std: number): number; uniform(lo: number, hi: number): number }) => ({
  xi: Array.from({ length: 512 }, () => SCALES.map(() => (0.2 * rng.normal(0, 1)) / Math.sqrt(rng.uniform(1e-12, 1)))),
});
heavyTailed.batchSize = 8;
