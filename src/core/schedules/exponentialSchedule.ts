import type { Schedule } from '../schedule';
import { fixedSchedule } from './fixedSchedule';
import { check, formatSpec, isNonNegative } from './scheduleArgs';
import type { ChainableLr } from './torchForm';

export const exponentialDefaults = { gamma: 0.99 };
export type ExponentialArgs = typeof exponentialDefaults;

/** torch ExponentialLR: lr_k = lr·γ^k. */
export function exponentialSchedule(baseLr: number, args: Partial<ExponentialArgs> = {}): Schedule {
  const a = { ...exponentialDefaults, ...args };
  check('exponential', 'gamma', isNonNegative(a.gamma), '>= 0', a.gamma);
  return fixedSchedule(formatSpec('exponential', a), (k) => baseLr * a.gamma ** k);
}

/** ExponentialLR.get_lr(): the group's lr times γ from epoch 1. */
export function exponentialTorch(args: Partial<ExponentialArgs>): ChainableLr {
  const a = { ...exponentialDefaults, ...args };
  return (epoch, lr) => (epoch === 0 ? lr : lr * a.gamma);
}
