import * as tf from '@tensorflow/tfjs';
import type { OptimizerRule } from '../optimizerRule';
import { DOCS, nonNegative } from './checks';
import { withWeightDecay } from './torchOps';

type Hp = { lr: number; lambd: number; alpha: number; t0: number; weight_decay: number };
type State = { ax: tf.Tensor; eta: number; mu: number };

/**
 * torch.optim.ASGD: θ ← θ·(1 − λη); θ ← θ − η·g; the average ax ← ax + μ·(θ − ax) (ax = θ while μ = 1);
 * then η = lr/(1 + λ·lr·t)^α and μ = 1/max(1, t − t0) for the next step. η and μ are plain-number
 * state, rounded to float32 as torch keeps them in float32 tensors. The iterate θ is the parameter;
 * ax is the averaged one (state only, as in torch).
 */
export const asgd: OptimizerRule<State, Hp> = {
  reference: 'torch.optim.ASGD',
  family: 'sgd',
  summary: 'ASGD: SGD with a decaying step and a running average of the iterates',
  defaults: { lr: 1e-2, lambd: 1e-4, alpha: 0.75, t0: 1e6, weight_decay: 0 },
  docs: {
    lambd: 'decay term λ: θ is scaled by 1 − λη before each step, and η = lr/(1 + λ·lr·t)^α',
    alpha: 'power α of the step-size decay',
    t0: 'step after which the iterates are averaged',
    weight_decay: DOCS.weight_decay,
  },
  checks: { lambd: nonNegative, t0: nonNegative, weight_decay: nonNegative },
  init: (param, hp) => ({ ax: tf.zerosLike(param), eta: Math.fround(hp.lr), mu: 1 }),
  update(grad, state, param, hp, ctx) {
    const t = ctx.step;
    // torch sets η to the group's lr when the state is made, at the first step (init sees the default lr).
    const eta = t === 1 ? Math.fround(hp.lr) : state.eta;
    const g = withWeightDecay(grad, param, hp.weight_decay);
    const theta = param.mul(1 - hp.lambd * eta).add(g.mul(-eta));
    const ax = state.mu !== 1 ? state.ax.add(theta.sub(state.ax).mul(state.mu)) : theta;
    return {
      param: theta,
      state: { ax, eta: Math.fround(hp.lr / (1 + hp.lambd * hp.lr * t) ** hp.alpha), mu: Math.fround(1 / Math.max(1, t - hp.t0)) },
    };
  },
};
