import * as tf from '@tensorflow/tfjs';
import { adagradArrays } from '../arrays/adagradArrays';
import { nonNegative, resolveHyperparams, type HpSpec } from '../hyperparams';
import type { OptimizerFactory } from '../optimizer';
import { epsSpec, hpNumber, weightDecaySpec } from './commonHyperparams';
import { addcdiv, addcmul, elementwiseOptimizer, withWeightDecay } from './elementwiseOptimizer';

const hyperparams: readonly HpSpec[] = [
  { name: 'lr_decay', kind: 'number', default: 0, doc: 'lr at step t is lr / (1 + (t − 1)·lr_decay)', check: nonNegative },
  weightDecaySpec(),
  {
    name: 'initial_accumulator_value',
    kind: 'number',
    default: 0,
    doc: 'starting value of the sum of squared gradients',
    check: nonNegative,
  },
  epsSpec(1e-10),
];

/** torch.optim.Adagrad: sum += g²; θ ← θ − clr·g / (√sum + ε), clr = lr / (1 + (t − 1)·lr_decay). */
export const adagrad: OptimizerFactory = {
  id: 'adagrad',
  summary: 'Adagrad: per-parameter steps scaled by the accumulated squared gradients',
  torchName: 'torch.optim.Adagrad',
  defaultLr: 1e-2,
  hyperparams,
  create(given) {
    const hp = resolveHyperparams('adagrad', hyperparams, given);
    const lrDecay = hpNumber(hp, 'lr_decay');
    const weightDecay = hpNumber(hp, 'weight_decay');
    const initial = hpNumber(hp, 'initial_accumulator_value');
    const eps = hpNumber(hp, 'eps');
    const onTensors = elementwiseOptimizer('adagrad', hp, {
      init: (params) => ({ sum: tf.fill(params.shape, initial) as tf.Tensor1D }),
      step({ params, grad, lr, t }, { sum: prev }) {
        const g = withWeightDecay(grad, params, weightDecay);
        const clr = lr / (1 + (t - 1) * lrDecay);
        const sum = addcmul(prev, 1, g, g);
        const std = tf.add(tf.sqrt(sum), eps) as tf.Tensor1D;
        return { params: addcdiv(params, -clr, g, std, eps), slots: { sum } };
      },
    });
    return { ...onTensors, arrays: adagradArrays({ lrDecay, weightDecay, initialAccumulatorValue: initial, eps }) };
  },
};
