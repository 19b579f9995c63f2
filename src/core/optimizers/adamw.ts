import { resolveHyperparams, type HpSpec } from '../hyperparams';
import type { OptimizerFactory } from '../optimizer';
import { adamLike, amsgradSpec } from './adam';
import { betasSpec, epsSpec, weightDecaySpec } from './commonHyperparams';

const hyperparams: readonly HpSpec[] = [betasSpec, epsSpec(1e-8), weightDecaySpec(1e-2), amsgradSpec];

/** torch.optim.AdamW: Adam with decoupled weight decay (default 1e-2). */
export const adamw: OptimizerFactory = {
  id: 'adamw',
  summary: 'AdamW: Adam with decoupled weight decay',
  torchName: 'torch.optim.AdamW',
  defaultLr: 1e-3,
  hyperparams,
  create(given) {
    return adamLike('adamw', resolveHyperparams('adamw', hyperparams, given), true);
  },
};
