import * as tf from '@tensorflow/tfjs';
import type { OptimizerRule } from '../optimizerRule';
import { betasInUnitInterval, DOCS, nonNegative } from './checks';
import { divideSafely, ema, emaOfSquares } from './torchOps';

type Hp = { lr: number; betas: number[]; alpha: number; beta3_warmup: number; alpha_warmup: number; eps: number; weight_decay: number };
type State = { exp_avg_fast?: tf.Tensor; exp_avg_slow: tf.Tensor; exp_avg_sq: tf.Tensor };

/** α at step t: linear from 0 to α over the first T steps (the reference's linear_warmup_scheduler); T = 0: α. */
export function ademamixAlpha(t: number, alpha: number, warmup: number): number {
  if (!(warmup > 0 && t < warmup)) return alpha;
  const a = t / warmup;
  return (1 - a) * 0 + a * alpha;
}

/**
 * β₃ at step t: from β₁ to β₃ over the first T steps, linear in the half-life
 * f(β) = ln ½ / ln(β + 1e-8) − 1 (the reference's linear_hl_warmup_scheduler): a linear ramp of β itself
 * would leave the half-life short until the very end. T = 0: β₃.
 */
export function ademamixBeta3(t: number, beta1: number, beta3: number, warmup: number): number {
  if (!(warmup > 0 && t < warmup)) return beta3;
  const halfLife = (beta: number) => Math.log(0.5) / Math.log(beta + 1e-8) - 1;
  const a = t / warmup;
  return 0.5 ** (1 / ((1 - a) * halfLife(beta1) + a * halfLife(beta3) + 1));
}

/**
 * AdEMAMix (Pagliardini, Ablin, Grangier 2024, The AdEMAMix Optimizer: Better, Faster, Older,
 * arXiv:2409.03137): Adam whose numerator mixes a fast EMA of gradients (β₁, bias-corrected) with a
 * slow one (β₃, not corrected) weighted by α, so gradients from thousands of steps ago still count.
 * Names and op order follow the authors' PyTorch code (apple/ml-ademamix, pytorch/ademamix.py);
 * α = 5 is their Optax default (the PyTorch class says 2; the paper uses 5-10). Warm-ups of 0 are the
 * reference's None. With t = ctx.step, α_t and β₃,t from the schedulers above:
 *   m₁ ← β₁m₁ + (1 − β₁)g   (β₁ = 0: m₁ = g, and no buffer is kept)
 *   m₂ ← β₃,t·m₂ + (1 − β₃,t)g
 *   v ← β₂v + (1 − β₂)g²
 *   u = (m₁/(1 − β₁ᵗ) + α_t·m₂) / (√v/√(1 − β₂ᵗ) + ε) + λθ     (decoupled decay, as AdamW)
 *   θ ← θ − lr·u
 */
export const ademamix: OptimizerRule<State, Hp> = {
  reference: 'Pagliardini, Ablin, Grangier 2024, The AdEMAMix Optimizer: Better, Faster, Older, arXiv:2409.03137 (apple/ml-ademamix)',
  family: 'adaptive',
  summary: 'AdEMAMix: Adam with a second, slow gradient EMA mixed into the numerator',
  defaults: { lr: 1e-3, betas: [0.9, 0.999, 0.9999], alpha: 5, beta3_warmup: 0, alpha_warmup: 0, eps: 1e-8, weight_decay: 0 },
  docs: {
    betas: 'decay rates of the fast gradient EMA (β₁), the squared gradients (β₂) and the slow gradient EMA (β₃)',
    alpha: 'weight of the slow EMA in the numerator',
    beta3_warmup: 'steps over which β₃ rises from β₁ (linear in half-life); 0: no warm-up',
    alpha_warmup: 'steps over which α rises linearly from 0; 0: no warm-up',
    eps: DOCS.eps,
    weight_decay: 'decoupled weight decay, as AdamW: lr·weight_decay·θ taken off θ',
  },
  checks: {
    betas: betasInUnitInterval,
    alpha: nonNegative,
    beta3_warmup: nonNegative,
    alpha_warmup: nonNegative,
    eps: nonNegative,
    weight_decay: nonNegative,
  },
  init(param, hp) {
    const state: State = { exp_avg_slow: tf.zerosLike(param), exp_avg_sq: tf.zerosLike(param) };
    if (hp.betas[0] !== 0) state.exp_avg_fast = tf.zerosLike(param);
    return state;
  },
  update(grad, state, param, hp, ctx) {
    const [beta1, beta2, beta3Final] = hp.betas;
    const t = ctx.step;
    const alpha = ademamixAlpha(t, hp.alpha, hp.alpha_warmup);
    const beta3 = ademamixBeta3(t, beta1, beta3Final, hp.beta3_warmup);
    const fast = state.exp_avg_fast ? ema(state.exp_avg_fast, beta1, grad) : grad;
    const next: State = { exp_avg_slow: ema(state.exp_avg_slow, beta3, grad), exp_avg_sq: emaOfSquares(state.exp_avg_sq, beta2, grad) };
    if (state.exp_avg_fast) next.exp_avg_fast = fast;
    const denom = next.exp_avg_sq.sqrt().div(Math.sqrt(1 - beta2 ** t)).add(hp.eps);
    let update = divideSafely(fast.div(1 - beta1 ** t).add(next.exp_avg_slow.mul(alpha)), denom, hp.eps);
    // torch's update.add_(p, alpha=λ); u + 0·θ is u, so a zero decay is skipped.
    if (hp.weight_decay !== 0) update = update.add(param.mul(hp.weight_decay));
    return { param: param.add(update.mul(-hp.lr)), state: next };
  },
};
