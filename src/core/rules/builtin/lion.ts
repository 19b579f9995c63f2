import * as tf from '@tensorflow/tfjs';
import type { OptimizerRule } from '../optimizerRule';
import { betasInUnitInterval, nonNegative } from './checks';
import { ema } from './torchOps';

type Hp = { lr: number; betas: number[]; weight_decay: number };

/**
 * sign(x) as −1, 0, 1 from comparisons: the wasm backend's Sign kernel rounds |x| below about 1e-6
 * to 0, and Lion's interpolation c is often that small where the gradient is.
 */
function signOf(x: tf.Tensor): tf.Tensor {
  const ones = tf.onesLike(x);
  return tf.where(x.greater(0), ones, tf.where(x.less(0), ones.neg(), tf.zerosLike(x)));
}

/**
 * Lion, "EvoLved Sign Momentum" (Chen et al. 2023, Symbolic Discovery of Optimization Algorithms,
 * arXiv:2302.06675), found by program search. Names, defaults and op order follow the authors'
 * PyTorch code (google/automl lion/lion_pytorch.py; lucidrains/lion-pytorch computes the same):
 *   θ ← θ·(1 − lr·λ)                  (decoupled weight decay, first)
 *   c = β₁·m + (1 − β₁)·g
 *   θ ← θ − lr·sign(c)
 *   m ← β₂·m + (1 − β₂)·g
 * Every coordinate moves by exactly lr (or 0): the step's size does not depend on the gradient's
 * scale, so Lion wants a 3-10x smaller lr than AdamW (and a larger λ for the same effective decay).
 */
export const lion: OptimizerRule<{ exp_avg: tf.Tensor }, Hp> = {
  reference: 'Chen et al. 2023, Symbolic Discovery of Optimization Algorithms, arXiv:2302.06675 (google/automl lion_pytorch.py)',
  family: 'sign',
  summary: 'Lion: steps of size lr along the sign of an interpolated momentum',
  defaults: { lr: 1e-4, betas: [0.9, 0.99], weight_decay: 0 },
  docs: {
    betas: 'β₁ interpolates momentum and gradient for the step\'s sign; β₂ is the momentum\'s own decay',
    weight_decay: 'decoupled weight decay: θ·(1 − lr·weight_decay) before each step',
  },
  checks: {
    betas: betasInUnitInterval,
    weight_decay: nonNegative,
  },
  init: (param) => ({ exp_avg: tf.zerosLike(param) }),
  update(grad, state, param, hp) {
    const [beta1, beta2] = hp.betas;
    // θ·1 is exact, so skipping a zero decay changes nothing.
    const decayed = hp.weight_decay !== 0 ? param.mul(1 - hp.lr * hp.weight_decay) : param;
    const interpolated = ema(state.exp_avg, beta1, grad);
    // torch's p.add_(sign, alpha=−lr): θ + (−lr)·sign(c).
    const next = decayed.add(signOf(interpolated).mul(-hp.lr));
    return { param: next, state: { exp_avg: ema(state.exp_avg, beta2, grad) } };
  },
};
