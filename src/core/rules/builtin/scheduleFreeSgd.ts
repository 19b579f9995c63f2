import type * as tf from '@tensorflow/tfjs';
import type { OptimizerRule } from '../optimizerRule';
import { DOCS, nonNegative } from './checks';
import { withWeightDecay } from './torchOps';
import { AVERAGING_CHECKS, AVERAGING_DOCS, AVERAGING_START, averagingStep, lerp, warmupFactor, type AveragingState } from './scheduleFreeAveraging';

type Hp = { lr: number; momentum: number; weight_decay: number; warmup_steps: number; r: number; weight_lr_power: number };
type State = { z: tf.Tensor; x: tf.Tensor } & AveragingState;

/**
 * Schedule-free SGD (Defazio et al. 2024, The Road Less Scheduled, arXiv:2405.15682; hyperparameter
 * names and defaults follow the authors' SGDScheduleFree, the train/eval version). Three sequences:
 * gradients are taken at y (the parameter), z takes the SGD steps, x is the weighted average of z:
 *   γ_t = lr · min(1, t/warmup_steps),   g_t = ∇f(y_t) + λ·y_t
 *   z_{t+1} = z_t − γ_t·g_t
 *   x_{t+1} = (1 − c_{t+1})·x_t + c_{t+1}·z_{t+1},   c_{t+1} = w_t / Σ_{i≤t} w_i,   w_t = t^r · (max_{i≤t} γ_i)^weight_lr_power
 *   y_{t+1} = (1 − β)·z_{t+1} + β·x_{t+1}
 * with z_1 = x_1 = y_1 the start. x is the answer: the run's losses and final parameters are taken
 * there (`evaluationPoint`). No lr schedule is needed (keep the run's --schedule constant); the warm-up
 * is the rule's own.
 */
export const scheduleFreeSgd: OptimizerRule<State, Hp> = {
  reference: 'Defazio et al. 2024, The Road Less Scheduled, arXiv:2405.15682 (SGDScheduleFree)',
  family: 'schedule-free',
  summary: 'Schedule-free SGD: SGD steps on z, losses at their weighted average x, gradients at y between them',
  defaults: { lr: 1.0, momentum: 0.9, weight_decay: 0, warmup_steps: 0, r: 0, weight_lr_power: 2 },
  docs: {
    momentum: 'β: y = (1 − β)·z + β·x, where gradients are taken',
    weight_decay: DOCS.weight_decay.replace('params', 'y'),
    ...AVERAGING_DOCS,
  },
  checks: {
    momentum: (v) => (v > 0 && v < 1 ? undefined : `must be in (0, 1), got ${String(v)}`),
    weight_decay: nonNegative,
    ...AVERAGING_CHECKS,
  },
  init: (param) => ({ z: param.clone(), x: param.clone(), ...AVERAGING_START }),
  update(grad, state, param, hp, ctx) {
    const t = ctx.step;
    const lr = hp.lr * warmupFactor(t, hp.warmup_steps);
    const { ckp1, ...averaging } = averagingStep(state, lr, t, hp.r, hp.weight_lr_power);
    const g = withWeightDecay(grad, param, hp.weight_decay);
    const z = state.z.sub(g.mul(lr));
    const x = lerp(state.x, z, ckp1);
    return { param: lerp(x, z, 1 - hp.momentum), state: { z, x, ...averaging } };
  },
  evaluationPoint: (state) => state.x,
};
