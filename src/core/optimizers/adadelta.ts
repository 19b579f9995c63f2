import * as tf from '@tensorflow/tfjs';
import { adadeltaArrays } from '../arrays/adadeltaArrays';
import { resolveHyperparams, type HpSpec } from '../hyperparams';
import type { OptimizerFactory } from '../optimizer';
import { epsSpec, hpNumber, weightDecaySpec } from './commonHyperparams';
import { addcmul, divideSafely, elementwiseOptimizer, withWeightDecay } from './elementwiseOptimizer';

const hyperparams: readonly HpSpec[] = [
  {
    name: 'rho',
    kind: 'number',
    default: 0.9,
    doc: 'decay rate of the running averages',
    check: (v) => (typeof v === 'number' && v >= 0 && v <= 1 ? undefined : `must be in [0, 1], got ${String(v)}`),
  },
  epsSpec(1e-6),
  weightDecaySpec(),
];

/**
 * torch.optim.Adadelta: v = ρ·v + (1 − ρ)·g²; δ = √(u + ε)/√(v + ε)·g;
 * u = ρ·u + (1 − ρ)·δ²; θ ← θ − lr·δ.
 */
export const adadelta: OptimizerFactory = {
  id: 'adadelta',
  summary: 'Adadelta: steps scaled by the ratio of running RMS of updates and gradients',
  torchName: 'torch.optim.Adadelta',
  defaultLr: 1.0,
  hyperparams,
  create(given) {
    const hp = resolveHyperparams('adadelta', hyperparams, given);
    const rho = hpNumber(hp, 'rho');
    const eps = hpNumber(hp, 'eps');
    const weightDecay = hpNumber(hp, 'weight_decay');
    const onTensors = elementwiseOptimizer('adadelta', hp, {
      init: (params) => ({ square_avg: tf.zerosLike(params), acc_delta: tf.zerosLike(params) }),
      step({ params, grad, lr }, prev) {
        const g = withWeightDecay(grad, params, weightDecay);
        const squareAvg = addcmul(tf.mul(prev.square_avg, rho), 1 - rho, g, g);
        const std = tf.sqrt(tf.add(squareAvg, eps)) as tf.Tensor1D;
        // torch's order: (√(u + ε) / std)·g.
        const delta: tf.Tensor1D = tf.mul(divideSafely(tf.sqrt(tf.add(prev.acc_delta, eps)) as tf.Tensor1D, std, eps), g);
        const accDelta = addcmul(tf.mul(prev.acc_delta, rho), 1 - rho, delta, delta);
        return {
          params: tf.add(params, tf.mul(delta, -lr)),
          slots: { square_avg: squareAvg, acc_delta: accDelta },
        };
      },
    });
    return { ...onTensors, arrays: adadeltaArrays({ rho, eps, weightDecay }) };
  },
};
