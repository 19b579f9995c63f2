import * as tf from '@tensorflow/tfjs';
import type { OptimizerRule } from '../optimizerRule';
import { betasInUnitInterval, DOCS, nonNegative } from './checks';
import { addcmul, divideSafely, emaOfSquares, withWeightDecay } from './torchOps';

type Hp = { lr: number; betas: number[]; eps: number; weight_decay: number; decouple: boolean; clip: boolean };
type State = { exp_avg: tf.Tensor; exp_avg_sq: tf.Tensor };

/** torch's `a.lerp_(b, w)` as its kernel computes it: a + w·(b − a) while |w| < 0.5, else b − (b − a)·(1 − w). */
function lerp(a: tf.Tensor, b: tf.Tensor, weight: number): tf.Tensor {
  return Math.abs(weight) < 0.5 ? a.add(b.sub(a).mul(weight)) : b.sub(b.sub(a).mul(1 - weight));
}

/**
 * ADOPT (Taniguchi et al. 2024, ADOPT: Modified Adam Can Converge with Any β₂ with the Optimal Rate,
 * arXiv:2411.02853). Adam's two changes: the gradient is normalised by the second moment of the
 * PREVIOUS steps (so g and v are independent), and the normalisation comes before the momentum.
 * Names, defaults and op order follow the authors' code as of its clipped version
 * (iShohei220/adopt, src/adopt/adopt.py, `_single_tensor_adopt`), with its default
 * clip_lambda = step^0.25. With t = ctx.step (1-based) and s = t − 1 (the reference's `step`):
 *   g ← g + λθ                               (decouple = false: L2 penalty, at every step)
 *   t = 1:  v ← g²                           (the first step only initialises v: θ does not move)
 *   t > 1:  θ ← θ − lr·λ·θ                   (decouple = true)
 *           n = g / max(√v, ε),  n ← clamp(n, −s^¼, s^¼)   (clip = true)
 *           m ← m + (1 − β₁)(n − m)           (torch's lerp)
 *           θ ← θ − lr·m
 *           v ← β₂v + (1 − β₂)g²
 * clip = false is the reference's clip_lambda = None (the unclipped ADOPT of the paper's first version).
 * With eps = 0 a coordinate whose v is 0 takes a zero step (the reference gives 0/0 = NaN).
 */
export const adopt: OptimizerRule<State, Hp> = {
  reference: 'Taniguchi et al. 2024, ADOPT: Modified Adam Can Converge with Any β2 with the Optimal Rate, arXiv:2411.02853 (iShohei220/adopt)',
  family: 'adaptive',
  summary: 'ADOPT: Adam normalising by the previous steps\' second moment, before the momentum',
  defaults: { lr: 1e-3, betas: [0.9, 0.9999], eps: 1e-6, weight_decay: 0, decouple: false, clip: true },
  docs: {
    betas: DOCS.betas,
    eps: 'lower bound of √v in the normalisation (the reference clamps, it does not add)',
    weight_decay: 'L2 penalty added to the gradient, or with decouple, θ·lr·weight_decay taken off θ (AdamW-style)',
    decouple: 'decoupled weight decay (use it where you would use AdamW)',
    clip: 'clip the normalised gradient to ±(t − 1)^¼, the reference\'s default clip_lambda; false: unclipped',
  },
  checks: {
    betas: betasInUnitInterval,
    eps: nonNegative,
    weight_decay: nonNegative,
  },
  init: (param) => ({ exp_avg: tf.zerosLike(param), exp_avg_sq: tf.zerosLike(param) }),
  update(grad, state, param, hp, ctx) {
    const [beta1, beta2] = hp.betas;
    const g = hp.decouple ? grad : withWeightDecay(grad, param, hp.weight_decay);
    if (ctx.step === 1) return { param, state: { exp_avg: state.exp_avg, exp_avg_sq: addcmul(state.exp_avg_sq, 1, g, g) } };
    // torch's param.add_(param, alpha=−lr·λ).
    const theta = hp.decouple && hp.weight_decay !== 0 ? param.add(param.mul(-hp.lr * hp.weight_decay)) : param;
    let normed = divideSafely(g, state.exp_avg_sq.sqrt().maximum(hp.eps), hp.eps);
    if (hp.clip) {
      // Bounds as numbers (scalar inputs of the compiled loop), not clipByValue's attributes, which are compiled in.
      const bound = (ctx.step - 1) ** 0.25;
      normed = normed.maximum(-bound).minimum(bound);
    }
    const expAvg = lerp(state.exp_avg, normed, 1 - beta1);
    return { param: theta.add(expAvg.mul(-hp.lr)), state: { exp_avg: expAvg, exp_avg_sq: emaOfSquares(state.exp_avg_sq, beta2, g) } };
  },
};
