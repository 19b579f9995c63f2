import * as tf from '@tensorflow/tfjs';
import type { OptimizerRule } from '../optimizerRule';
import { DOCS, nonNegative } from './checks';
import { addcdiv, addcmul, withWeightDecay } from './torchOps';

type Hp = { lr: number; lr_decay: number; weight_decay: number; initial_accumulator_value: number; eps: number };

/** torch.optim.Adagrad: sum += g²; θ ← θ − clr·g / (√sum + ε), clr = lr / (1 + (t − 1)·lr_decay). */
export const adagrad: OptimizerRule<{ sum: tf.Tensor }, Hp> = {
  reference: 'torch.optim.Adagrad',
  family: 'adaptive',
  summary: 'Adagrad: per-parameter steps scaled by the accumulated squared gradients',
  defaults: { lr: 1e-2, lr_decay: 0, weight_decay: 0, initial_accumulator_value: 0, eps: 1e-10 },
  docs: {
    lr_decay: 'lr at step t is lr / (1 + (t − 1)·lr_decay)',
    weight_decay: DOCS.weight_decay,
    initial_accumulator_value: 'starting value of the sum of squared gradients',
    eps: DOCS.eps,
  },
  checks: { lr_decay: nonNegative, weight_decay: nonNegative, initial_accumulator_value: nonNegative, eps: nonNegative },
  init: (param, hp) => ({ sum: tf.fill(param.shape, hp.initial_accumulator_value) }),
  update(grad, state, param, hp, ctx) {
    const g = withWeightDecay(grad, param, hp.weight_decay);
    const clr = hp.lr / (1 + (ctx.step - 1) * hp.lr_decay);
    const sum = addcmul(state.sum, 1, g, g);
    const std = sum.sqrt().add(hp.eps);
    return { param: addcdiv(param, -clr, g, std, hp.eps), state: { sum } };
  },
};
