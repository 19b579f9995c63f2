import type { Schedule } from '../schedule';
import { fixedSchedule } from './fixedSchedule';
import { recurrence } from './recurrence';
import { check, formatSpec, isNonNegative } from './scheduleArgs';
import type { ChainableLr } from './torchForm';

/** torch requires lr_lambda; 0.95 is its documentation's example (lambda epoch: 0.95). */
export const multiplicativeDefaults = { factor: 0.95 };
export type MultiplicativeArgs = typeof multiplicativeDefaults;

function resolve(args: Partial<MultiplicativeArgs>): MultiplicativeArgs {
  const a = { ...multiplicativeDefaults, ...args };
  check('multiplicative', 'factor', isNonNegative(a.factor), '>= 0', a.factor);
  return a;
}

/**
 * torch MultiplicativeLR with a constant lr_lambda: lr_k = lr_{k-1}·factor from step 1. It is
 * stepped as torch steps it (one product per step, not factor^k), so the numbers are torch's
 * bit for bit. A user function (step, lr) => lr is the general form (src/core/schedules/userSchedule.ts).
 */
export function multiplicativeSchedule(baseLr: number, args: Partial<MultiplicativeArgs> = {}): Schedule {
  const getLr = multiplicativeTorch(args);
  return fixedSchedule(formatSpec('multiplicative', resolve(args)), recurrence(() => baseLr, (k, lr) => getLr(k, lr, baseLr)));
}

/** MultiplicativeLR.get_lr(): the group's lr times the factor, except at epoch 0 (which SequentialLR's step(0) also is). */
export function multiplicativeTorch(args: Partial<MultiplicativeArgs>): ChainableLr {
  const a = resolve(args);
  return (epoch, lr) => (epoch > 0 ? lr * a.factor : lr);
}
