import * as tf from '@tensorflow/tfjs';
import type { OptimizerRule } from '../optimizerRule';
import { DOCS, nonNegative } from './checks';
import { divideSafely, emaOfSquares, withWeightDecay } from './torchOps';

type Hp = { lr: number; rho: number; eps: number; weight_decay: number };

/**
 * torch.optim.Adadelta: v = ρ·v + (1 − ρ)·g²; δ = √(u + ε)/√(v + ε)·g;
 * u = ρ·u + (1 − ρ)·δ²; θ ← θ − lr·δ.
 */
export const adadelta: OptimizerRule<{ square_avg: tf.Tensor; acc_delta: tf.Tensor }, Hp> = {
  reference: 'torch.optim.Adadelta',
  family: 'adaptive',
  summary: 'Adadelta: steps scaled by the ratio of running RMS of updates and gradients',
  defaults: { lr: 1.0, rho: 0.9, eps: 1e-6, weight_decay: 0 },
  docs: { rho: 'decay rate of the running averages', eps: DOCS.eps, weight_decay: DOCS.weight_decay },
  checks: {
    rho: (v) => (v >= 0 && v <= 1 ? undefined : `must be in [0, 1], got ${String(v)}`),
    eps: nonNegative,
    weight_decay: nonNegative,
  },
  init: (param) => ({ square_avg: tf.zerosLike(param), acc_delta: tf.zerosLike(param) }),
  update(grad, state, param, hp) {
    const g = withWeightDecay(grad, param, hp.weight_decay);
    const squareAvg = emaOfSquares(state.square_avg, hp.rho, g);
    const std = squareAvg.add(hp.eps).sqrt();
    // torch's order: (√(u + ε) / std)·g.
    const delta = divideSafely(state.acc_delta.add(hp.eps).sqrt(), std, hp.eps).mul(g);
    const accDelta = emaOfSquares(state.acc_delta, hp.rho, delta);
    return { param: param.add(delta.mul(-hp.lr)), state: { square_avg: squareAvg, acc_delta: accDelta } };
  },
};
