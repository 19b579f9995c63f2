import * as tf from '@tensorflow/tfjs';
import type { OptimizerRule } from '../optimizerRule';

type Hp = { lr: number; etas: number[]; step_sizes: number[] };
type State = { prev: tf.Tensor; step_size: tf.Tensor; started: number };

/**
 * torch's `param.addcmul_(grad.sign(), step_size, value=-1)`: θ − size where g > 0, θ + size where g < 0.
 * Comparisons rather than tf.sign, which the wasm backend rounds to 0 for |g| below about 1e-6.
 */
function stepAgainstSign(param: tf.Tensor, g: tf.Tensor, size: tf.Tensor): tf.Tensor {
  return param.sub(tf.where(g.greater(0), size, tf.where(g.less(0), size.neg(), tf.zerosLike(size))));
}

/**
 * torch.optim.Rprop: per element, where g·g_prev > 0 the step size grows (×η₊), where < 0 it shrinks (×η₋)
 * and that gradient counts as 0 (no step, and no sign change seen next time), where = 0 it stays;
 * sizes are clamped to step_sizes; θ ← θ − sign(g)·size; g_prev ← g. lr is only the initial step size.
 */
export const rprop: OptimizerRule<State, Hp> = {
  reference: 'torch.optim.Rprop',
  family: 'sign',
  summary: 'Rprop: per-parameter step sizes adapted to sign changes of the gradient',
  defaults: { lr: 1e-2, etas: [0.5, 1.2], step_sizes: [1e-6, 50] },
  docs: {
    etas: 'multiplicative decrease and increase of the step size (η₋, η₊)',
    step_sizes: 'minimal and maximal step size',
  },
  checks: {
    etas: (v) => (v.length === 2 && v[0] > 0 && v[0] < 1 && v[1] > 1 ? undefined : `must be (η₋, η₊) with 0 < η₋ < 1 < η₊, got ${JSON.stringify(v)}`),
    step_sizes: (v) => (v.length === 2 && v[0] >= 0 && v[0] <= v[1] ? undefined : `must be (min, max) with 0 <= min <= max, got ${JSON.stringify(v)}`),
  },
  // torch fills step_size with the group's lr when the state is made, at the first step: `started` says
  // whether it has been (init sees the default lr, not the run's; a flag, not ctx.step, so the compiled
  // rule is not re-run every step).
  init: (param, hp) => ({ prev: tf.zerosLike(param), step_size: tf.onesLike(param).mul(hp.lr), started: 0 }),
  update(grad, state, param, hp) {
    const [etaminus, etaplus] = hp.etas;
    const [minSize, maxSize] = hp.step_sizes;
    if (!state.started) {
      // prev = 0: every g·prev is 0, so every factor is 1 and no gradient is zeroed.
      const size = tf.onesLike(param).mul(hp.lr).clipByValue(minSize, maxSize);
      return { param: stepAgainstSign(param, grad, size), state: { prev: grad, step_size: size, started: 1 } };
    }
    // torch's sign(g·prev) (the product in float32: an underflow to 0 counts as 0) mapped to η₊, η₋, 1.
    const product = grad.mul(state.prev);
    const shrink = product.less(0);
    const scaled = tf.where(product.greater(0), state.step_size.mul(etaplus), tf.where(shrink, state.step_size.mul(etaminus), state.step_size));
    const size = scaled.clipByValue(minSize, maxSize);
    const g = tf.where(shrink, tf.zerosLike(grad), grad);
    return { param: stepAgainstSign(param, g, size), state: { prev: g, step_size: size, started: 1 } };
  },
};
