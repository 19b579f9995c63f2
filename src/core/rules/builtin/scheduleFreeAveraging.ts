/**
 * What the schedule-free rules (scheduleFreeSgd.ts, scheduleFreeAdamw.ts) share: the rule's own
 * linear warm-up, the averaging weight c_{t+1} from the run's largest lr so far and the running
 * weight sum (plain-number state: both are over the whole run, not per step), and torch's lerp.
 * Defazio et al. 2024, The Road Less Scheduled, arXiv:2405.15682.
 */
import type * as tf from '@tensorflow/tfjs';
import { nonNegative } from './checks';

/** The plain-number part of a schedule-free state: the largest lr seen (−1 before the first step) and Σ weights. */
export type AveragingState = {
  readonly lr_max: number;
  readonly weight_sum: number;
};

export const AVERAGING_START: AveragingState = { lr_max: -1, weight_sum: 0 };

/** The rule's warm-up factor at update t (1-based): t/warmup_steps while t ≤ warmup_steps, then 1. */
export function warmupFactor(t: number, warmupSteps: number): number {
  return t - 1 < warmupSteps ? t / warmupSteps : 1;
}

/**
 * The weight of z_{t+1} in the average x: w_t = t^r · lr_max^weight_lr_power, c_{t+1} = w_t / Σ_{i≤t} w_i
 * (0 while the sum is 0, i.e. while every lr was 0), lr_max the largest lr of the run so far.
 */
export function averagingStep(prev: AveragingState, lr: number, t: number, r: number, weightLrPower: number): AveragingState & { ckp1: number } {
  const lrMax = Math.max(lr, prev.lr_max);
  const weight = t ** r * lrMax ** weightLrPower;
  const weightSum = prev.weight_sum + weight;
  return { lr_max: lrMax, weight_sum: weightSum, ckp1: weightSum > 0 ? weight / weightSum : 0 };
}

/** torch's `start.lerp(end, w)`: start + w·(end − start) for w < 0.5, else end − (end − start)·(1 − w). */
export function lerp(start: tf.Tensor, end: tf.Tensor, w: number): tf.Tensor {
  return w < 0.5 ? start.add(end.sub(start).mul(w)) : end.sub(end.sub(start).mul(1 - w));
}

/** Docs and checks of the averaging hyperparameters both rules have. */
export const AVERAGING_DOCS = {
  warmup_steps: "the rule's own linear lr warm-up over this many steps (keep the run's --schedule constant)",
  r: 'power of t in the averaging weight t^r · lr_max^weight_lr_power (0: uniform in t)',
  weight_lr_power: 'power of the largest lr so far in the averaging weight (0: no lr weighting)',
} as const;

export const AVERAGING_CHECKS = {
  warmup_steps: nonNegative,
  r: nonNegative,
  weight_lr_power: nonNegative,
};
