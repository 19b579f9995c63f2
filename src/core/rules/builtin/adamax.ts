import * as tf from '@tensorflow/tfjs';
import type { OptimizerRule } from '../optimizerRule';
import { betasInUnitInterval, DOCS, nonNegative } from './checks';
import { addcdiv, ema, withWeightDecay } from './torchOps';

type Hp = { lr: number; betas: number[]; eps: number; weight_decay: number };

/** torch.optim.Adamax: m = β₁m + (1 − β₁)g; u = max(β₂u, |g| + ε); θ ← θ − lr/(1 − β₁ᵗ)·m/u. */
export const adamax: OptimizerRule<{ exp_avg: tf.Tensor; exp_inf: tf.Tensor }, Hp> = {
  reference: 'torch.optim.Adamax',
  family: 'adaptive',
  summary: 'Adamax: Adam with the infinity norm of past gradients',
  defaults: { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0 },
  docs: { betas: DOCS.betas, eps: DOCS.eps, weight_decay: DOCS.weight_decay },
  checks: { betas: betasInUnitInterval, eps: nonNegative, weight_decay: nonNegative },
  init: (param) => ({ exp_avg: tf.zerosLike(param), exp_inf: tf.zerosLike(param) }),
  update(grad, state, param, hp, ctx) {
    const [beta1, beta2] = hp.betas;
    const g = withWeightDecay(grad, param, hp.weight_decay);
    const expAvg = ema(state.exp_avg, beta1, g);
    const expInf = state.exp_inf.mul(beta2).maximum(g.abs().add(hp.eps));
    const clr = hp.lr / (1 - beta1 ** ctx.step);
    return { param: addcdiv(param, -clr, expAvg, expInf, hp.eps), state: { exp_avg: expAvg, exp_inf: expInf } };
  },
};
