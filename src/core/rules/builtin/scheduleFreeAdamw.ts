import * as tf from '@tensorflow/tfjs';
import type { OptimizerRule } from '../optimizerRule';
import { betasInUnitInterval, DOCS, nonNegative } from './checks';
import { divideSafely, emaOfSquares } from './torchOps';
import { AVERAGING_CHECKS, AVERAGING_DOCS, AVERAGING_START, averagingStep, lerp, warmupFactor, type AveragingState } from './scheduleFreeAveraging';

type Hp = { lr: number; betas: number[]; eps: number; weight_decay: number; warmup_steps: number; r: number; weight_lr_power: number };
type State = { z: tf.Tensor; x: tf.Tensor; exp_avg_sq: tf.Tensor } & AveragingState;

/**
 * Schedule-free AdamW (Defazio et al. 2024, The Road Less Scheduled, arXiv:2405.15682; hyperparameter
 * names and defaults follow the authors' AdamWScheduleFree, the train/eval version). Gradients are
 * taken at y (the parameter); z takes Adam-normalised steps (no first moment: β₁ is the interpolation);
 * x, the weighted average of z, is the answer:
 *   v_t = β₂·v_{t−1} + (1 − β₂)·g_t²,   g_t = ∇f(y_t)
 *   γ_t = lr · min(1, t/warmup_steps) · √(1 − β₂ᵗ)
 *   z_{t+1} = z_t − γ_t·(g_t/(√v_t + ε) + λ·y_t)
 *   x_{t+1} = (1 − c_{t+1})·x_t + c_{t+1}·z_{t+1},   c_{t+1} = w_t / Σ_{i≤t} w_i,   w_t = t^r · (max_{i≤t} γ_i)^weight_lr_power
 *   y_{t+1} = (1 − β₁)·z_{t+1} + β₁·x_{t+1}
 * with z_1 = x_1 = y_1 the start. The run's losses and final parameters are taken at x
 * (`evaluationPoint`). No lr schedule is needed (keep the run's --schedule constant); the warm-up is the rule's own.
 */
export const scheduleFreeAdamw: OptimizerRule<State, Hp> = {
  reference: 'Defazio et al. 2024, The Road Less Scheduled, arXiv:2405.15682 (AdamWScheduleFree)',
  family: 'schedule-free',
  summary: 'Schedule-free AdamW: Adam-normalised steps on z, losses at their weighted average x, gradients at y',
  defaults: { lr: 0.0025, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, warmup_steps: 0, r: 0, weight_lr_power: 2 },
  docs: {
    betas: 'β₁: y = (1 − β₁)·z + β₁·x, where gradients are taken; β₂: decay of the running average of g²',
    eps: DOCS.eps,
    weight_decay: 'decoupled weight decay at y: weight_decay·y is added to the normalised step',
    ...AVERAGING_DOCS,
  },
  checks: { betas: betasInUnitInterval, eps: nonNegative, weight_decay: nonNegative, ...AVERAGING_CHECKS },
  init: (param) => ({ z: param.clone(), x: param.clone(), exp_avg_sq: tf.zerosLike(param), ...AVERAGING_START }),
  update(grad, state, param, hp, ctx) {
    const [beta1, beta2] = hp.betas;
    const t = ctx.step;
    const lr = hp.lr * warmupFactor(t, hp.warmup_steps) * Math.sqrt(1 - beta2 ** t);
    const { ckp1, ...averaging } = averagingStep(state, lr, t, hp.r, hp.weight_lr_power);
    const expAvgSq = emaOfSquares(state.exp_avg_sq, beta2, grad);
    let step = divideSafely(grad, expAvgSq.sqrt().add(hp.eps), hp.eps);
    if (hp.weight_decay !== 0) step = step.add(param.mul(hp.weight_decay));
    const z = state.z.sub(step.mul(lr));
    const x = lerp(state.x, z, ckp1);
    return { param: lerp(x, z, 1 - beta1), state: { z, x, exp_avg_sq: expAvgSq, ...averaging } };
  },
  evaluationPoint: (state) => state.x,
};
