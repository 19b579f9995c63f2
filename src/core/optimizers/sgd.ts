import * as tf from '@tensorflow/tfjs';
import { sgdArrays } from '../arrays/sgdArrays';
import { nonNegative, resolveHyperparams, type HpSpec } from '../hyperparams';
import type { OptimizerFactory } from '../optimizer';
import { hpBoolean, hpNumber, weightDecaySpec } from './commonHyperparams';
import { elementwiseOptimizer, withWeightDecay, type Slots } from './elementwiseOptimizer';

const hyperparams: readonly HpSpec[] = [
  { name: 'momentum', kind: 'number', default: 0, doc: 'momentum factor (0: plain gradient descent)', check: nonNegative },
  {
    name: 'dampening',
    kind: 'number',
    default: 0,
    doc: 'dampening for momentum: buf = momentum·buf + (1 − dampening)·g (dampening = momentum gives an EMA)',
  },
  weightDecaySpec(),
  {
    name: 'nesterov',
    kind: 'boolean',
    default: false,
    doc: 'Nesterov momentum: step along g + momentum·buf',
    check: (v, all) =>
      v === true && (!((all.momentum as number) > 0) || all.dampening !== 0)
        ? 'Nesterov momentum requires a momentum > 0 and zero dampening'
        : undefined,
  },
];

/**
 * torch.optim.SGD: d = g + λθ; buf = d on the first step, then
 * buf = μ·buf + (1 − τ)·d; d = nesterov ? d + μ·buf : buf; θ ← θ − lr·d.
 */
export const sgd: OptimizerFactory = {
  id: 'sgd',
  summary: 'Stochastic gradient descent with optional (Nesterov) momentum',
  torchName: 'torch.optim.SGD',
  // torch 1.13 requires lr; 1e-3 is torch 2.x's default.
  defaultLr: 1e-3,
  hyperparams,
  create(given) {
    const hp = resolveHyperparams('sgd', hyperparams, given);
    const momentum = hpNumber(hp, 'momentum');
    const dampening = hpNumber(hp, 'dampening');
    const weightDecay = hpNumber(hp, 'weight_decay');
    const nesterov = hpBoolean(hp, 'nesterov');
    const onTensors = elementwiseOptimizer('sgd', hp, {
      // No buffer before the first step, as in torch: it starts as a copy of d.
      init: () => ({}),
      step({ params, grad, lr }, slots) {
        let d = withWeightDecay(grad, params, weightDecay);
        if (momentum === 0) return { params: tf.add(params, tf.mul(d, -lr)), slots: {} as Slots };
        const prev = slots.momentum_buffer;
        const buf: tf.Tensor1D = prev ? tf.add(tf.mul(prev, momentum), tf.mul(d, 1 - dampening)) : d;
        d = nesterov ? tf.add(d, tf.mul(buf, momentum)) : buf;
        return { params: tf.add(params, tf.mul(d, -lr)), slots: { momentum_buffer: buf } };
      },
    });
    return { ...onTensors, arrays: sgdArrays({ momentum, dampening, weightDecay, nesterov }) };
  },
};
