import * as tf from '@tensorflow/tfjs';
import type { OptimizerRule } from '../optimizerRule';
import { betasInUnitInterval, DOCS, nonNegative } from './checks';
import { addcdiv, ema, emaOfSquares, withWeightDecay } from './torchOps';

type Hp = { lr: number; betas: number[]; eps: number; weight_decay: number; momentum_decay: number };

/** torch keeps mu_product as a float32 tensor; multiplying like float32 keeps its rounding. */
const f32mul = (a: number, b: number) => Math.fround(a * Math.fround(b));

/**
 * torch.optim.NAdam: μ_t = β₁(1 − ½·0.96^(tψ)), Π_t = Π_{t−1}μ_t; m, v as in Adam;
 * d = √(v/(1 − β₂ᵗ)) + ε; θ ← θ − lr(1 − μ_t)/(1 − Π_t)·g/d − lr·μ_{t+1}/(1 − Π_t·μ_{t+1})·m/d.
 * The running product Π is plain-number state.
 */
export const nadam: OptimizerRule<{ exp_avg: tf.Tensor; exp_avg_sq: tf.Tensor; mu_product: number }, Hp> = {
  reference: 'torch.optim.NAdam',
  family: 'adaptive',
  summary: 'NAdam: Adam with Nesterov momentum',
  defaults: { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, momentum_decay: 4e-3 },
  docs: {
    betas: DOCS.betas,
    eps: DOCS.eps,
    weight_decay: DOCS.weight_decay,
    momentum_decay: 'ψ in the momentum schedule μ_t = β₁(1 − ½·0.96^(tψ))',
  },
  checks: { betas: betasInUnitInterval, eps: nonNegative, weight_decay: nonNegative, momentum_decay: nonNegative },
  init: (param) => ({ exp_avg: tf.zerosLike(param), exp_avg_sq: tf.zerosLike(param), mu_product: 1 }),
  update(grad, state, param, hp, ctx) {
    const [beta1, beta2] = hp.betas;
    const t = ctx.step;
    const mu = (k: number) => beta1 * (1 - 0.5 * 0.96 ** (k * hp.momentum_decay));
    const g = withWeightDecay(grad, param, hp.weight_decay);
    const muNow = mu(t);
    const muNext = mu(t + 1);
    const muProduct = f32mul(state.mu_product, muNow);
    // torch: mu_product * mu * mu_next, where mu_product is already updated (so μ_t counts twice).
    const muProductNext = f32mul(f32mul(muProduct, muNow), muNext);
    const expAvg = ema(state.exp_avg, beta1, g);
    const expAvgSq = emaOfSquares(state.exp_avg_sq, beta2, g);
    const denom = expAvgSq.div(1 - beta2 ** t).sqrt().add(hp.eps);
    const half = addcdiv(param, (-hp.lr * (1 - muNow)) / (1 - muProduct), g, denom, hp.eps);
    return {
      param: addcdiv(half, (-hp.lr * muNext) / (1 - muProductNext), expAvg, denom, hp.eps),
      state: { exp_avg: expAvg, exp_avg_sq: expAvgSq, mu_product: muProduct },
    };
  },
};
