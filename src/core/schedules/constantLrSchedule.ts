import type { Schedule } from '../schedule';
import { fixedSchedule } from './fixedSchedule';
import { check, formatSpec, isCount } from './scheduleArgs';
import type { ChainableLr } from './torchForm';

export const constantLrDefaults = { factor: 1 / 3, total_iters: 5 };
export type ConstantLrArgs = typeof constantLrDefaults;

function resolve(args: Partial<ConstantLrArgs>): ConstantLrArgs {
  const a = { ...constantLrDefaults, ...args };
  // torch allows factor 0 but then divides by it at total_iters (1 / factor); 0 iterations would
  // make its step form (factor for ever) and its closed form (no factor) disagree.
  check('constantlr', 'factor', a.factor > 0 && a.factor <= 1, 'in (0, 1]', a.factor);
  check('constantlr', 'total_iters', isCount(a.total_iters, 1), 'an integer >= 1', a.total_iters);
  return a;
}

/**
 * torch ConstantLR: lr·factor for the first total_iters steps, then lr. Named 'constantlr'
 * because 'constant' is the schedule that never changes the lr.
 */
export function constantLrSchedule(baseLr: number, args: Partial<ConstantLrArgs> = {}): Schedule {
  const a = resolve(args);
  // torch's _get_closed_form_lr, term for term.
  return fixedSchedule(formatSpec('constantlr', a), (k) => baseLr * (a.factor + (k >= a.total_iters ? 1 - a.factor : 0)));
}

/** ConstantLR.get_lr(): from the group's lr, as ChainedScheduler and SequentialLR step it. */
export function constantLrTorch(args: Partial<ConstantLrArgs>): ChainableLr {
  const a = resolve(args);
  return (epoch, lr) => {
    if (epoch === 0) return lr * a.factor;
    return epoch === a.total_iters ? lr * (1 / a.factor) : lr;
  };
}
