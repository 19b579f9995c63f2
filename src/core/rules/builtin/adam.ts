import * as tf from '@tensorflow/tfjs';
import type { OptimizerRule, RuleContext, RuleStability, RuleUpdate } from '../optimizerRule';
import { betasInUnitInterval, DOCS, nonNegative } from './checks';
import { divideSafely, ema, emaOfSquares, withWeightDecay } from './torchOps';

export type AdamHp = { lr: number; betas: number[]; eps: number; weight_decay: number; amsgrad: boolean };
export type AdamState = { exp_avg: tf.Tensor; exp_avg_sq: tf.Tensor; max_exp_avg_sq?: tf.Tensor };

/** The bias-corrected step lr/(1 − β₁ᵗ)·m / (√v / √(1 − β₂ᵗ) + ε), v replaced by max(v_max, v) with amsgrad. */
function adamStep(state: AdamState, hp: AdamHp, t: number): tf.Tensor {
  const [beta1, beta2] = hp.betas;
  const v = hp.amsgrad ? (state.max_exp_avg_sq as tf.Tensor) : state.exp_avg_sq;
  const denom = v.sqrt().div(Math.sqrt(1 - beta2 ** t)).add(hp.eps);
  return divideSafely(state.exp_avg.mul(hp.lr / (1 - beta1 ** t)), denom, hp.eps);
}

/**
 * The Adam update shared by Adam (L2 penalty added to g) and AdamW (decoupled:
 * θ ← θ·(1 − lr·λ) first). m = β₁m + (1 − β₁)g; v = β₂v + (1 − β₂)g²;
 * θ ← θ − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε).
 */
export function adamUpdate(grad: tf.Tensor, prev: AdamState, param: tf.Tensor, hp: AdamHp, ctx: RuleContext, decoupled: boolean): RuleUpdate<AdamState> {
  const [beta1, beta2] = hp.betas;
  let theta = param;
  let g = grad;
  // θ·1 is exact, so skipping a zero decoupled decay changes nothing.
  if (decoupled) theta = hp.weight_decay !== 0 ? param.mul(1 - hp.lr * hp.weight_decay) : param;
  else g = withWeightDecay(grad, param, hp.weight_decay);
  const state: AdamState = { exp_avg: ema(prev.exp_avg, beta1, g), exp_avg_sq: emaOfSquares(prev.exp_avg_sq, beta2, g) };
  if (hp.amsgrad) state.max_exp_avg_sq = (prev.max_exp_avg_sq as tf.Tensor).maximum(state.exp_avg_sq);
  return { param: theta.sub(adamStep(state, hp, ctx.step)), state };
}

/** What Adam and AdamW share besides the update: state, docs, checks, the dashboard's view. */
export const adamCommon = {
  docs: {
    betas: DOCS.betas,
    eps: DOCS.eps,
    weight_decay: DOCS.weight_decay,
    amsgrad: 'AMSGrad: normalise by the running maximum of the second moment',
  },
  checks: { betas: betasInUnitInterval, eps: nonNegative, weight_decay: nonNegative },
  init(param: tf.Tensor, hp: AdamHp): AdamState {
    const state: AdamState = { exp_avg: tf.zerosLike(param), exp_avg_sq: tf.zerosLike(param) };
    if (hp.amsgrad) state.max_exp_avg_sq = tf.zerosLike(param);
    return state;
  },
  // The last update's gradient step per parameter, lr·m̂/(√v̂ + ε) (0 before the first).
  inspect: (state: AdamState, hp: AdamHp, ctx: RuleContext) => ({
    effective_step: ctx.step === 0 ? tf.zerosLike(state.exp_avg) : adamStep(state, hp, ctx.step),
  }),
};

/**
 * Adam's edge of stability (Cohen et al. 2022, Adaptive Gradient Methods at the Edge of Stability): the
 * preconditioned sharpness λmax(P⁻¹H), P = (1 − β₁ᵗ)(√v̂ + ε), stays below (2 + 2β₁)/((1 − β₁)·lr) (38/lr for
 * β₁ = 0.9). An L2 penalty (Adam's weight_decay) adds λ·P⁻¹ rather than shifting that sharpness: no known limit then;
 * AdamW's decoupled decay only shrinks θ, which the limit leaves out.
 */
export function adamStability(decoupled: boolean): RuleStability<AdamState, AdamHp> {
  return {
    sharpnessLimit(hp) {
      const beta1 = hp.betas[0];
      if (!(hp.lr > 0) || (!decoupled && hp.weight_decay !== 0)) return undefined;
      return (2 + 2 * beta1) / ((1 - beta1) * hp.lr);
    },
    preconditioner(state, hp, ctx) {
      if (ctx.step === 0) return undefined;
      const [beta1, beta2] = hp.betas;
      const v = hp.amsgrad ? (state.max_exp_avg_sq as tf.Tensor) : state.exp_avg_sq;
      return v.div(1 - beta2 ** ctx.step).sqrt().add(hp.eps).mul(1 - beta1 ** ctx.step);
    },
  };
}

/** torch.optim.Adam. */
export const adam: OptimizerRule<AdamState, AdamHp> = {
  reference: 'torch.optim.Adam',
  family: 'adaptive',
  ...adamCommon,
  stability: adamStability(false),
  summary: 'Adam: bias-corrected first and second moment estimates',
  defaults: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: false },
  update: (grad, state, param, hp, ctx) => adamUpdate(grad, state, param, hp, ctx, false),
};
