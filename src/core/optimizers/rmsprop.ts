import * as tf from '@tensorflow/tfjs';
import { rmspropArrays } from '../arrays/rmspropArrays';
import { nonNegative, resolveHyperparams, type HpSpec } from '../hyperparams';
import type { OptimizerFactory } from '../optimizer';
import { epsSpec, hpBoolean, hpNumber, weightDecaySpec } from './commonHyperparams';
import { addcdiv, addcmul, divideSafely, elementwiseOptimizer, ema, withWeightDecay, type Slots } from './elementwiseOptimizer';

const hyperparams: readonly HpSpec[] = [
  { name: 'alpha', kind: 'number', default: 0.99, doc: 'smoothing constant of the squared-gradient average', check: nonNegative },
  epsSpec(1e-8),
  weightDecaySpec(),
  { name: 'momentum', kind: 'number', default: 0, doc: 'momentum factor', check: nonNegative },
  { name: 'centered', kind: 'boolean', default: false, doc: 'normalise by the estimated variance of the gradient' },
];

/**
 * The centred second moment E[g²] − E[g]², made safe where torch's float32 is not:
 * rounding can make it slightly negative (torch: √ of a negative = NaN) and a huge
 * gradient makes it Inf − Inf = NaN. Negative → 0 (the variance it estimates is
 * ≥ 0); NaN → E[g²] = Inf, which gives the zero step uncentred RMSProp takes there.
 * Where torch's value is finite and ≥ 0 this is exactly torch's.
 */
function centredVariance(squareAvg: tf.Tensor1D, gradAvg: tf.Tensor1D): tf.Tensor1D {
  const v = addcmul(squareAvg, -1, gradAvg, gradAvg);
  return tf.where(tf.isNaN(v), squareAvg, tf.relu(v));
}

/**
 * torch.optim.RMSprop: v = α·v + (1 − α)·g²; avg = √v (centred: √(v − ḡ²)) + ε;
 * with momentum buf = μ·buf + g/avg, θ ← θ − lr·buf; else θ ← θ − lr·g/avg.
 */
export const rmsprop: OptimizerFactory = {
  id: 'rmsprop',
  summary: 'RMSProp: steps scaled by a running average of squared gradients',
  torchName: 'torch.optim.RMSprop',
  defaultLr: 1e-2,
  hyperparams,
  create(given) {
    const hp = resolveHyperparams('rmsprop', hyperparams, given);
    const alpha = hpNumber(hp, 'alpha');
    const eps = hpNumber(hp, 'eps');
    const weightDecay = hpNumber(hp, 'weight_decay');
    const momentum = hpNumber(hp, 'momentum');
    const centered = hpBoolean(hp, 'centered');
    const onTensors = elementwiseOptimizer('rmsprop', hp, {
      init(params) {
        const slots: Slots = { square_avg: tf.zerosLike(params) };
        if (momentum > 0) slots.momentum_buffer = tf.zerosLike(params);
        if (centered) slots.grad_avg = tf.zerosLike(params);
        return slots;
      },
      step({ params, grad, lr }, prev) {
        const g = withWeightDecay(grad, params, weightDecay);
        const slots: Slots = { square_avg: addcmul(tf.mul(prev.square_avg, alpha), 1 - alpha, g, g) };
        let avg: tf.Tensor1D;
        if (centered) {
          slots.grad_avg = ema(prev.grad_avg, alpha, g);
          avg = tf.sqrt(centredVariance(slots.square_avg, slots.grad_avg));
        } else {
          avg = tf.sqrt(slots.square_avg);
        }
        avg = tf.add(avg, eps);
        if (momentum > 0) {
          slots.momentum_buffer = tf.add(tf.mul(prev.momentum_buffer, momentum), divideSafely(g, avg, eps));
          return { params: tf.add(params, tf.mul(slots.momentum_buffer, -lr)), slots };
        }
        return { params: addcdiv(params, -lr, g, avg, eps), slots };
      },
    });
    return { ...onTensors, arrays: rmspropArrays({ alpha, eps, weightDecay, momentum, centered }) };
  },
};
