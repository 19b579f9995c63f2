import * as tf from '@tensorflow/tfjs';
import { adamaxArrays } from '../arrays/adamaxArrays';
import { resolveHyperparams, type HpSpec } from '../hyperparams';
import type { OptimizerFactory } from '../optimizer';
import { betasSpec, epsSpec, hpNumber, hpPair, weightDecaySpec } from './commonHyperparams';
import { addcdiv, elementwiseOptimizer, ema, withWeightDecay } from './elementwiseOptimizer';

const hyperparams: readonly HpSpec[] = [betasSpec, epsSpec(1e-8), weightDecaySpec()];

/** torch.optim.Adamax: m = β₁m + (1 − β₁)g; u = max(β₂u, |g| + ε); θ ← θ − lr/(1 − β₁ᵗ)·m/u. */
export const adamax: OptimizerFactory = {
  id: 'adamax',
  summary: 'Adamax: Adam with the infinity norm of past gradients',
  torchName: 'torch.optim.Adamax',
  defaultLr: 2e-3,
  hyperparams,
  create(given) {
    const hp = resolveHyperparams('adamax', hyperparams, given);
    const [beta1, beta2] = hpPair(hp, 'betas');
    const eps = hpNumber(hp, 'eps');
    const weightDecay = hpNumber(hp, 'weight_decay');
    const onTensors = elementwiseOptimizer('adamax', hp, {
      init: (params) => ({ exp_avg: tf.zerosLike(params), exp_inf: tf.zerosLike(params) }),
      step({ params, grad, lr, t }, prev) {
        const g = withWeightDecay(grad, params, weightDecay);
        const expAvg = ema(prev.exp_avg, beta1, g);
        const expInf = tf.maximum(tf.mul(prev.exp_inf, beta2), tf.add(tf.abs(g), eps)) as tf.Tensor1D;
        const clr = lr / (1 - beta1 ** t);
        return { params: addcdiv(params, -clr, expAvg, expInf, eps), slots: { exp_avg: expAvg, exp_inf: expInf } };
      },
    });
    return { ...onTensors, arrays: adamaxArrays({ beta1, beta2, eps, weightDecay }) };
  },
};
