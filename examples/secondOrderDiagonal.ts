import * as tf from '@tensorflow/tfjs';

/**
 * Sophia-H (Liu et al. 2023), a second-order diagonal method: it divides the momentum by a running
 * estimate h of the Hessian's diagonal (Hutchinson's u⊙Hu with random ±1 vectors u, one
 * Hessian-vector product every k steps) and clips each coordinate's step to at most lr:
 * θ ← θ − lr·clip(m / max(ρh, ε), 1).
 *
 * Hutchinson's estimate is exact on a diagonal Hessian (u_i² = 1), so on stretchedBowl every
 * coordinate moves alike whatever its curvature; where the estimate is negative (beside a saddle) the
 * step is clipped to lr·sign(m) and leaves the saddle at constant speed.
 *
 * Try (200 steps each):
 *   optlab run examples/secondOrderDiagonal.ts --objective stretchedBowl --optimizer sophia --lr 0.05 --hp betas=0.9,0.9 --hp weight_decay=0 --steps 200
 *   optlab run examples/secondOrderDiagonal.ts --objective stretchedBowl --optimizer sophia --lr 0.05 --steps 200
 *   optlab run examples/secondOrderDiagonal.ts --objective stretchedBowl --optimizer sgd --lr 0.0019 --steps 200
 *   optlab run examples/secondOrderDiagonal.ts --objective stretchedBowl --optimizer adam --lr 0.05 --steps 200
 *   optlab run examples/secondOrderDiagonal.ts --objective besideSaddle --optimizer sophia --lr 0.05 --hp betas=0.9,0.9 --hp weight_decay=0 --steps 200
 *   optlab run examples/secondOrderDiagonal.ts --objective besideSaddle --optimizer sgd --lr 0.1 --steps 200
 *   (and --hp k=1: a Hessian-vector product every step)
 *
 * Measured (final loss; the evals column counts the Hessian-vector products, 20 in 200 steps at k = 10):
 *   stretchedBowl: sophia lr 0.05, betas (0.9, 0.9), no decay: 9.1e-8 with 221 evaluations, all four
 *     coordinates equal at every step (−1.28e-5 at the end); with k = 1: 1.4e-6 (399 evaluations);
 *     sophia lr 0.05 with the paper's defaults (betas (0.965, 0.99), decay 0.1): 0.51, every coordinate
 *     bouncing at ±0.03: h is an average over estimates every k steps with β₂ = 0.99 and no bias
 *     correction, so after 20 estimates it holds 18% of the curvature, the unclipped step m/(ρh) would
 *     overshoot and the clip keeps steps of lr (the defaults are for 100k-step language-model runs);
 *     sgd lr 0.0019 (stable only below 2/1000): 0.236, the flat coordinate still at 0.68;
 *     adam lr 0.05: 4.5e-7.
 *   besideSaddle from (1, 0.001): sophia lr 0.05, betas (0.9, 0.9), no decay: below −0.2 at step 17,
 *     within 1e-4 of −¼ at step 20; sgd lr 0.1: steps 74 and 90 (y grows 1.1× per step); adam lr 0.05:
 *     steps 17 and 77; sophia with the defaults: steps 17 and 185, ending at −0.2494 with x bouncing.
 *
 * Lesson: a diagonal curvature estimate undoes axis-aligned conditioning (Adam does too, through the
 * gradient's scale; Sophia's step becomes Newton's, lr/ρ·H⁻¹m, once h has caught up) and the clip
 * keeps negative or too-small curvature estimates from producing huge steps. How quickly h follows the
 * curvature (β₂, k) matters as much as lr on a short run.
 */
const CURVATURES = [1, 10, 100, 1000];

/** ½ Σ cᵢxᵢ² with curvatures 1 … 1000 along the axes: condition number 1000, a diagonal Hessian. */
export function stretchedBowl(x: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.mul(0.5, tf.sum(tf.mul(tf.tensor1d(CURVATURES), tf.square(x)))) as tf.Scalar);
}
stretchedBowl.init = [1, 1, 1, 1];
stretchedBowl.minimum = 0;

/** ½x² − ½y² + ¼y⁴: a saddle at the origin between minima at (0, ±1) (f = −¼); the start sits next to the saddle. */
export function besideSaddle(p: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const x = p.gather(0);
    const y = p.gather(1);
    return tf.add(tf.mul(0.5, tf.sub(tf.square(x), tf.square(y))), tf.mul(0.25, tf.pow(y, 4))).reshape([]) as tf.Scalar;
  });
}
besideSaddle.init = [1, 0.001];
besideSaddle.minimum = -0.25;
besideSaddle.domain = [[-1.5, 1.5], [-1.5, 1.5]];
