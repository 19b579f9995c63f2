import * as tf from '@tensorflow/tfjs';
import { builtInRules, sharpnessAware } from 'optimizer-lab';

/**
 * Sharpness-aware minimisation (SAM, Foret et al. 2021) on a valley of minima whose sharpness changes
 * along it: f(x, y) = ½(1 + x²)·y². Every point (x, 0) is a minimum (f = 0), with curvature 1 + x²
 * across the valley (λmax = 1 + x², 5 at x = 2 and 1 at x = 0). SAM takes each step with the gradient
 * at the worst point within ρ of where it stands, (x, y ± ρ) near the valley floor, whose x-gradient
 * x·(y ± ρ)² keeps pushing x towards the flat end while plain gradient descent stops wherever it first
 * reaches the floor.
 *
 * Try (from (2, 1), 300 steps; add --curvature-every 300 to see λmax where each run ends):
 *   optlab run examples/sharpnessAware.ts --optimizer sgd --lr 0.1 --hp momentum=0.9 --steps 300
 *   optlab run examples/sharpnessAware.ts --optimizer sam --lr 0.1 --steps 300
 *   optlab run examples/sharpnessAware.ts --optimizer sam --lr 0.1 --hp rho=0.5 --steps 300
 *   optlab run examples/sharpnessAware.ts --optimizer sam --lr 0.1 --hp rho=0.5,adaptive=true --steps 300
 *   optlab run examples/sharpnessAware.ts --optimizer sam-adamw --lr 0.05 --hp rho=0.5 --steps 300
 *
 * Measured (λmax from --curvature-every 300; 7.47 at the start):
 *   sgd lr 0.1: loss 0 at (1.73, 0), λmax 4.00: it stops where it first reaches the floor;
 *   sgd lr 0.1 + momentum 0.9: loss 2.0e-15 at (−1.13, 0), λmax 2.27 (momentum overshoots in x);
 *   sam lr 0.1 (momentum 0.9, ρ 0.05): loss 6.9e-6 at (−0.11, 0.004), λmax 1.013, with 601 gradient
 *     evaluations for 300 steps (sgd: 301);
 *   sam ρ 0.5: x → 1e-7, λmax 1.000, but loss 1.3e-3: it keeps bouncing across the floor (|y| ≈ 0.05);
 *   sam ρ 0.5 adaptive (ASAM, whose ρ-ball is scaled by |w|): loss 3.1e-14 at (−0.11, 0), λmax 1.011;
 *   sam-adamw lr 0.05 ρ 0.5: λmax 1.00002, loss 1.3e-5; adamw lr 0.05 alone: (0.85, 0), λmax 1.73;
 *   SAM around the Lion rule of examples/lion.ts (sharpnessAware(lion, 'lion')) on Rosenbrock, lr 0.01,
 *     500 steps: 4.04 (Lion alone 0.0305, as with rho=0; rho=0.01: 0.062): in a narrow curved valley the
 *     gradient ρ away points elsewhere, and a sign method keeps only its direction.
 *
 * Lesson: SAM does not look for the lowest loss but for a low loss that stays low within ρ, and pays
 * two gradients per step for it (the evals column counts them). ρ is a length in parameter space.
 *
 * SAM around any rule, yours or a built-in: `sharpnessAware(rule, 'name')` from 'optimizer-lab' wraps any
 * tensor-scope rule (samLion below; run it with --optimizer examples/sharpnessAware.ts#samLion --lr 0.01).
 */
export const samLion = sharpnessAware(builtInRules.lion, 'lion');

export function sharpnessValley(p: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const x = p.gather(0);
    const y = p.gather(1);
    return tf.mul(0.5, tf.mul(tf.add(1, tf.square(x)), tf.square(y))).reshape([]) as tf.Scalar;
  });
}
sharpnessValley.init = [2, 1];
sharpnessValley.minimum = 0;
sharpnessValley.domain = [[-0.5, 2.5], [-1.5, 1.5]];
