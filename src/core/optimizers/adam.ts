import * as tf from '@tensorflow/tfjs';
import { adamArrays } from '../arrays/adamArrays';
import { resolveHyperparams, type HpRecord, type HpSpec } from '../hyperparams';
import type { Optimizer, OptimizerFactory } from '../optimizer';
import { fusedAdam, hasFusedAdam } from '../tfjs/fusedAdam';
import { betasSpec, epsSpec, hpBoolean, hpNumber, hpPair, weightDecaySpec } from './commonHyperparams';
import { addcmul, divideSafely, elementwiseOptimizer, ema, withWeightDecay, type Slots } from './elementwiseOptimizer';

export const amsgradSpec: HpSpec = {
  name: 'amsgrad',
  kind: 'boolean',
  default: false,
  doc: 'AMSGrad: normalise by the running maximum of the second moment',
};

/**
 * The Adam update shared by Adam (L2 penalty added to g) and AdamW (decoupled:
 * θ ← θ·(1 − lr·λ) first). m = β₁m + (1 − β₁)g; v = β₂v + (1 − β₂)g²;
 * θ ← θ − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε), v replaced by max(v_max, v) with amsgrad.
 */
export function adamLike(id: string, hp: HpRecord, decoupled: boolean): Optimizer {
  const [beta1, beta2] = hpPair(hp, 'betas');
  const eps = hpNumber(hp, 'eps');
  const weightDecay = hpNumber(hp, 'weight_decay');
  const amsgrad = hpBoolean(hp, 'amsgrad');
  const denominator = (v: tf.Tensor1D, t: number) => tf.add(tf.div(tf.sqrt(v), Math.sqrt(1 - beta2 ** t)), eps) as tf.Tensor1D;
  const stepSize = (lr: number, t: number) => lr / (1 - beta1 ** t);
  const onTensors = elementwiseOptimizer(id, hp, {
    init(params) {
      const slots: Slots = { exp_avg: tf.zerosLike(params), exp_avg_sq: tf.zerosLike(params) };
      if (amsgrad) slots.max_exp_avg_sq = tf.zerosLike(params);
      return slots;
    },
    step({ params, grad, lr, t }, prev) {
      if (hasFusedAdam(params.size)) {
        // One kernel, bit-identical to the op chain below (src/core/tfjs/fusedAdam.ts).
        const [p, m, v, vmax] = fusedAdam(params, grad, prev.exp_avg, prev.exp_avg_sq, amsgrad ? prev.max_exp_avg_sq : undefined, {
          beta1, beta2, eps, weightDecay, decoupled, amsgrad, lr, t,
        });
        return { params: p, slots: amsgrad ? { exp_avg: m, exp_avg_sq: v, max_exp_avg_sq: vmax } : { exp_avg: m, exp_avg_sq: v } };
      }
      let theta = params;
      let g = grad;
      // θ·1 is exact, so skipping a zero decoupled decay changes nothing.
      if (decoupled) theta = weightDecay !== 0 ? tf.mul(params, 1 - lr * weightDecay) : params;
      else g = withWeightDecay(grad, params, weightDecay);
      const slots: Slots = {
        exp_avg: ema(prev.exp_avg, beta1, g),
        exp_avg_sq: addcmul(tf.mul(prev.exp_avg_sq, beta2), 1 - beta2, g, g),
      };
      if (amsgrad) slots.max_exp_avg_sq = tf.maximum(prev.max_exp_avg_sq, slots.exp_avg_sq);
      const denom = denominator(amsgrad ? slots.max_exp_avg_sq : slots.exp_avg_sq, t);
      const step = divideSafely(tf.mul(slots.exp_avg, stepSize(lr, t)), denom, eps);
      return { params: tf.sub(theta, step), slots };
    },
    inspect({ t, lr }, slots) {
      // The last update's gradient step per parameter, lr·m̂/(√v̂ + ε) (0 before the first).
      if (t === 0) return { effective_step: tf.zerosLike(slots.exp_avg) };
      const denom = denominator(amsgrad ? slots.max_exp_avg_sq : slots.exp_avg_sq, t);
      return { effective_step: divideSafely(tf.mul(slots.exp_avg, stepSize(lr, t)), denom, eps) };
    },
  });
  return { ...onTensors, arrays: adamArrays({ beta1, beta2, eps, weightDecay, decoupled, amsgrad }) };
}

const hyperparams: readonly HpSpec[] = [betasSpec, epsSpec(1e-8), weightDecaySpec(), amsgradSpec];

/** torch.optim.Adam. */
export const adam: OptimizerFactory = {
  id: 'adam',
  summary: 'Adam: bias-corrected first and second moment estimates',
  torchName: 'torch.optim.Adam',
  defaultLr: 1e-3,
  hyperparams,
  create(given) {
    return adamLike('adam', resolveHyperparams('adam', hyperparams, given), false);
  },
};
