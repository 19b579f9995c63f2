import * as tf from '@tensorflow/tfjs';
import type { OptimizerRule } from '../optimizerRule';
import { DOCS, nonNegative } from './checks';
import { withWeightDecay } from './torchOps';

type Hp = { lr: number; momentum: number; dampening: number; weight_decay: number; nesterov: boolean };

/**
 * torch.optim.SGD: d = g + λθ; buf = d on the first step, then
 * buf = μ·buf + (1 − τ)·d; d = nesterov ? d + μ·buf : buf; θ ← θ − lr·d.
 */
export const sgd: OptimizerRule<{ momentum_buffer?: tf.Tensor; started?: number }, Hp> = {
  reference: 'torch.optim.SGD',
  family: 'sgd',
  summary: 'Stochastic gradient descent with optional (Nesterov) momentum',
  // torch 1.13 requires lr; 1e-3 is torch 2.x's default.
  defaults: { lr: 1e-3, momentum: 0, dampening: 0, weight_decay: 0, nesterov: false },
  docs: {
    momentum: 'momentum factor (0: plain gradient descent)',
    dampening: 'dampening for momentum: buf = momentum·buf + (1 − dampening)·g (dampening = momentum gives an EMA)',
    weight_decay: DOCS.weight_decay,
    nesterov: 'Nesterov momentum: step along g + momentum·buf',
  },
  checks: {
    momentum: nonNegative,
    weight_decay: nonNegative,
    nesterov: (v, hp) => (v && (!(hp.momentum > 0) || hp.dampening !== 0) ? 'Nesterov momentum requires a momentum > 0 and zero dampening' : undefined),
  },
  stability: {
    // On a quadratic the iteration's 2×2 (buffer, parameter) matrix has an eigenvalue −1 when lr·λ reaches 2 (no
    // momentum), 2(1 + μ)/(1 − τ) (heavy ball with dampening τ) or (2 + 2μ)/(1 + 2μ) (Nesterov); weight decay
    // adds its λ to every eigenvalue of the objective's Hessian, so the objective's own λmax may reach that less it.
    sharpnessLimit(hp) {
      if (!(hp.lr > 0) || hp.dampening >= 1) return undefined;
      const mu = hp.momentum;
      const limit = mu === 0 ? 2 / hp.lr : hp.nesterov ? (2 + 2 * mu) / (hp.lr * (1 + 2 * mu)) : (2 + 2 * mu) / (hp.lr * (1 - hp.dampening));
      return limit - hp.weight_decay;
    },
  },
  // Plain gradient descent keeps no state; the buffer is torch's momentum_buffer, `started` whether it holds one yet.
  init: (param, hp) => (hp.momentum !== 0 ? { momentum_buffer: tf.zerosLike(param), started: 0 } : {}),
  update(grad, state, param, hp) {
    let d = withWeightDecay(grad, param, hp.weight_decay);
    if (hp.momentum === 0) return { param: param.add(d.mul(-hp.lr)), state };
    // torch starts the buffer as a copy of d (no dampening) when there is none yet. A flag rather than
    // ctx.step === 1: a compiled rule whose JS reads nothing that changes is not re-run every step.
    const buf = state.started ? (state.momentum_buffer as tf.Tensor).mul(hp.momentum).add(d.mul(1 - hp.dampening)) : d;
    d = hp.nesterov ? d.add(buf.mul(hp.momentum)) : buf;
    return { param: param.add(d.mul(-hp.lr)), state: { momentum_buffer: buf, started: 1 } };
  },
};
