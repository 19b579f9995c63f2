import * as tf from '@tensorflow/tfjs';
import { nadamArrays } from '../arrays/nadamArrays';
import { nonNegative, resolveHyperparams, type HpSpec } from '../hyperparams';
import type { OptimizerFactory } from '../optimizer';
import { betasSpec, epsSpec, hpNumber, hpPair, weightDecaySpec } from './commonHyperparams';
import { addcdiv, addcmul, elementwiseOptimizer, ema, withWeightDecay } from './elementwiseOptimizer';

const hyperparams: readonly HpSpec[] = [
  betasSpec,
  epsSpec(1e-8),
  weightDecaySpec(),
  { name: 'momentum_decay', kind: 'number', default: 4e-3, doc: 'ψ in the momentum schedule μ_t = β₁(1 − ½·0.96^(tψ))', check: nonNegative },
];

/** torch keeps mu_product as a float32 tensor; multiplying like float32 keeps its rounding. */
const f32mul = (a: number, b: number) => Math.fround(a * Math.fround(b));

/**
 * torch.optim.NAdam: μ_t = β₁(1 − ½·0.96^(tψ)), Π_t = Π_{t−1}μ_t; m, v as in Adam;
 * d = √(v/(1 − β₂ᵗ)) + ε; θ ← θ − lr(1 − μ_t)/(1 − Π_t)·g/d − lr·μ_{t+1}/(1 − Π_t·μ_{t+1})·m/d.
 */
export const nadam: OptimizerFactory = {
  id: 'nadam',
  summary: 'NAdam: Adam with Nesterov momentum',
  torchName: 'torch.optim.NAdam',
  defaultLr: 2e-3,
  hyperparams,
  create(given) {
    const hp = resolveHyperparams('nadam', hyperparams, given);
    const [beta1, beta2] = hpPair(hp, 'betas');
    const eps = hpNumber(hp, 'eps');
    const weightDecay = hpNumber(hp, 'weight_decay');
    const momentumDecay = hpNumber(hp, 'momentum_decay');
    const mu = (t: number) => beta1 * (1 - 0.5 * 0.96 ** (t * momentumDecay));
    const onTensors = elementwiseOptimizer('nadam', hp, {
      init: (params) => ({ exp_avg: tf.zerosLike(params), exp_avg_sq: tf.zerosLike(params) }),
      numbers: { mu_product: 1 },
      step({ params, grad, lr, t, numbers }, prev) {
        const g = withWeightDecay(grad, params, weightDecay);
        const muNow = mu(t);
        const muNext = mu(t + 1);
        const muProduct = f32mul(numbers.mu_product, muNow);
        // torch: mu_product * mu * mu_next, where mu_product is already updated (so μ_t counts twice).
        const muProductNext = f32mul(f32mul(muProduct, muNow), muNext);
        const expAvg = ema(prev.exp_avg, beta1, g);
        const expAvgSq = addcmul(tf.mul(prev.exp_avg_sq, beta2), 1 - beta2, g, g);
        const denom = tf.add(tf.sqrt(tf.div(expAvgSq, 1 - beta2 ** t)), eps) as tf.Tensor1D;
        const half = addcdiv(params, (-lr * (1 - muNow)) / (1 - muProduct), g, denom, eps);
        return {
          params: addcdiv(half, (-lr * muNext) / (1 - muProductNext), expAvg, denom, eps),
          slots: { exp_avg: expAvg, exp_avg_sq: expAvgSq },
          numbers: { mu_product: muProduct },
        };
      },
    });
    return { ...onTensors, arrays: nadamArrays({ beta1, beta2, eps, weightDecay, momentumDecay }) };
  },
};
