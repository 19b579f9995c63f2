import type { OptimizerRule } from '../optimizerRule';
import { adamCommon, adamStability, adamUpdate, type AdamHp, type AdamState } from './adam';

/** torch.optim.AdamW: Adam with decoupled weight decay θ ← θ·(1 − lr·λ) (default λ = 1e-2). */
export const adamw: OptimizerRule<AdamState, AdamHp> = {
  reference: 'torch.optim.AdamW',
  family: 'adaptive',
  ...adamCommon,
  stability: adamStability(true),
  summary: 'AdamW: Adam with decoupled weight decay',
  defaults: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 1e-2, amsgrad: false },
  update: (grad, state, param, hp, ctx) => adamUpdate(grad, state, param, hp, ctx, true),
};
