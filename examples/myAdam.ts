import * as tf from '@tensorflow/tfjs';
// In your workspace: import type { OptimizerRule } from 'optimizer-lab';
// (the repository's examples type-check against that contract's source)
import type { OptimizerRule } from '../src/core/rules/optimizerRule';

/**
 * Adam written by hand as an optimizer rule: the same numbers as the built-in
 * `adam` (torch.optim.Adam) step for step, because it does the same float32
 * operations in the same order as torch:
 *   m ← m·β1 + g·(1 − β1)
 *   v ← v·β2 + (g·(1 − β2))·g
 *   θ ← θ − (m·(lr / (1 − β1ᵗ))) / (√v / √(1 − β2ᵗ) + ε)
 * The bias corrections are plain JS numbers of ctx.step (t, 1-based), so they
 * change every step. A different but algebraically equal order (say
 * m̂ = m / (1 − β1ᵗ) first) rounds differently and drifts by float32 ulps.
 *
 * This file has no objective; run the rule on one:
 *   optlab run examples/rosenbrock.ts --optimizer examples/myAdam.ts --lr 0.05 --steps 500
 *   optlab run examples/rosenbrock.ts --optimizer adam --lr 0.05 --steps 500
 * Both end at loss 0.153 (test/unit/runner/ruleRuns.test.ts holds them equal step for step).
 */
export const myAdam: OptimizerRule<{ m: tf.Tensor; v: tf.Tensor }, { lr: number; beta1: number; beta2: number; eps: number }> = {
  summary: 'Adam by hand (torch.optim.Adam without weight decay or amsgrad)',
  defaults: { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 },
  init: (param) => ({ m: tf.zerosLike(param), v: tf.zerosLike(param) }),
  update: (grad, state, param, hp, ctx) => {
    const m = state.m.mul(hp.beta1).add(grad.mul(1 - hp.beta1));
    const v = state.v.mul(hp.beta2).add(grad.mul(1 - hp.beta2).mul(grad));
    const biasCorrection1 = 1 - Math.pow(hp.beta1, ctx.step);
    const biasCorrection2 = 1 - Math.pow(hp.beta2, ctx.step);
    const denom = v.sqrt().div(Math.sqrt(biasCorrection2)).add(hp.eps);
    return { param: param.sub(m.mul(hp.lr / biasCorrection1).div(denom)), state: { m, v } };
  },
};
