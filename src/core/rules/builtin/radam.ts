import * as tf from '@tensorflow/tfjs';
import type { OptimizerRule } from '../optimizerRule';
import { betasInUnitInterval, DOCS, nonNegative } from './checks';
import { divideSafely, ema, emaOfSquares, withWeightDecay } from './torchOps';

type Hp = { lr: number; betas: number[]; eps: number; weight_decay: number };

/**
 * torch.optim.RAdam: m, v as in Adam; m̂ = m/(1 − β₁ᵗ); ρ∞ = 2/(1 − β₂) − 1, ρ_t = ρ∞ − 2tβ₂ᵗ/(1 − β₂ᵗ).
 * While ρ_t ≤ 5 the variance is not tractable: θ ← θ − lr·m̂ (SGD with momentum). Then
 * θ ← θ − m̂·lr·(√(1 − β₂ᵗ)/(√v + ε))·r_t, r_t = √((ρ_t − 4)(ρ_t − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρ_t)).
 * ρ_t and r_t are plain numbers of the step; the branch on ρ_t is a JS branch (each path compiles).
 */
export const radam: OptimizerRule<{ exp_avg: tf.Tensor; exp_avg_sq: tf.Tensor }, Hp> = {
  reference: 'torch.optim.RAdam',
  family: 'adaptive',
  summary: 'RAdam: Adam with the variance of its adaptive lr rectified',
  defaults: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0 },
  docs: { betas: DOCS.betas, eps: DOCS.eps, weight_decay: DOCS.weight_decay },
  checks: { betas: betasInUnitInterval, eps: nonNegative, weight_decay: nonNegative },
  init: (param) => ({ exp_avg: tf.zerosLike(param), exp_avg_sq: tf.zerosLike(param) }),
  update(grad, state, param, hp, ctx) {
    const [beta1, beta2] = hp.betas;
    const t = ctx.step;
    const biasCorrection1 = 1 - beta1 ** t;
    const biasCorrection2 = 1 - beta2 ** t;
    const g = withWeightDecay(grad, param, hp.weight_decay);
    const expAvg = ema(state.exp_avg, beta1, g);
    const expAvgSq = emaOfSquares(state.exp_avg_sq, beta2, g);
    const corrected = expAvg.div(biasCorrection1);
    const rhoInf = 2 / (1 - beta2) - 1;
    const rhoT = rhoInf - (2 * t * beta2 ** t) / biasCorrection2;
    const next = { exp_avg: expAvg, exp_avg_sq: expAvgSq };
    if (!(rhoT > 5)) return { param: param.sub(corrected.mul(hp.lr)), state: next };
    const rect = Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
    // torch writes √(1 − β₂ᵗ) / (√v + ε), a number over a tensor: Tensor.__rdiv__ is (1/tensor)·number.
    // With eps = 0 and v = 0 torch's m̂·Inf is NaN; divideSafely makes that a zero step.
    const denom = expAvgSq.sqrt().add(hp.eps);
    const adaptiveLr = divideSafely(tf.onesLike(denom), denom, hp.eps).mul(Math.sqrt(biasCorrection2));
    return { param: param.sub(corrected.mul(hp.lr).mul(adaptiveLr).mul(rect)), state: next };
  },
};
