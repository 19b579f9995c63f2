import * as tf from '@tensorflow/tfjs';
import type { OptimizerRule } from '../optimizerRule';
import { DOCS, nonNegative } from './checks';
import { addcdiv, addcmul, divideSafely, ema, emaOfSquares, withWeightDecay } from './torchOps';

type Hp = { lr: number; alpha: number; eps: number; weight_decay: number; momentum: number; centered: boolean };
type State = { square_avg: tf.Tensor; momentum_buffer?: tf.Tensor; grad_avg?: tf.Tensor };

/**
 * The centred second moment E[g²] − E[g]², made safe where torch's float32 is not:
 * rounding can make it slightly negative (torch: √ of a negative = NaN) and a huge
 * gradient makes it Inf − Inf = NaN. Negative → 0 (the variance it estimates is
 * ≥ 0); NaN → E[g²] = Inf, which gives the zero step uncentred RMSProp takes there.
 * Where torch's value is finite and ≥ 0 this is exactly torch's.
 */
function centredVariance(squareAvg: tf.Tensor, gradAvg: tf.Tensor): tf.Tensor {
  const v = addcmul(squareAvg, -1, gradAvg, gradAvg);
  return tf.where(tf.isNaN(v), squareAvg, tf.relu(v));
}

/**
 * torch.optim.RMSprop: v = α·v + (1 − α)·g²; avg = √v (centred: √(v − ḡ²)) + ε;
 * with momentum buf = μ·buf + g/avg, θ ← θ − lr·buf; else θ ← θ − lr·g/avg.
 */
export const rmsprop: OptimizerRule<State, Hp> = {
  reference: 'torch.optim.RMSprop',
  family: 'adaptive',
  summary: 'RMSProp: steps scaled by a running average of squared gradients',
  defaults: { lr: 1e-2, alpha: 0.99, eps: 1e-8, weight_decay: 0, momentum: 0, centered: false },
  docs: {
    alpha: 'smoothing constant of the squared-gradient average',
    eps: DOCS.eps,
    weight_decay: DOCS.weight_decay,
    momentum: 'momentum factor',
    centered: 'normalise by the estimated variance of the gradient',
  },
  checks: { alpha: nonNegative, eps: nonNegative, weight_decay: nonNegative, momentum: nonNegative },
  init(param, hp) {
    const state: State = { square_avg: tf.zerosLike(param) };
    if (hp.momentum > 0) state.momentum_buffer = tf.zerosLike(param);
    if (hp.centered) state.grad_avg = tf.zerosLike(param);
    return state;
  },
  update(grad, prev, param, hp) {
    const g = withWeightDecay(grad, param, hp.weight_decay);
    const state: State = { square_avg: emaOfSquares(prev.square_avg, hp.alpha, g) };
    let avg: tf.Tensor;
    if (hp.centered) {
      state.grad_avg = ema(prev.grad_avg as tf.Tensor, hp.alpha, g);
      avg = centredVariance(state.square_avg, state.grad_avg).sqrt();
    } else {
      avg = state.square_avg.sqrt();
    }
    avg = avg.add(hp.eps);
    if (hp.momentum > 0) {
      state.momentum_buffer = (prev.momentum_buffer as tf.Tensor).mul(hp.momentum).add(divideSafely(g, avg, hp.eps));
      return { param: param.add(state.momentum_buffer.mul(-hp.lr)), state };
    }
    return { param: addcdiv(param, -hp.lr, g, avg, hp.eps), state };
  },
};
