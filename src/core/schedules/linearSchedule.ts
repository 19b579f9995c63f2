import type { Schedule } from '../schedule';
import { fixedSchedule } from './fixedSchedule';
import { check, formatSpec, isCount } from './scheduleArgs';
import type { ChainableLr } from './torchForm';

export const linearDefaults = { start_factor: 1 / 3, end_factor: 1, total_iters: 5 };
export type LinearArgs = typeof linearDefaults;

function resolve(args: Partial<LinearArgs>): LinearArgs {
  const a = { ...linearDefaults, ...args };
  // torch allows start_factor 0, then divides by total_iters·start_factor at the first step.
  check('linear', 'start_factor', a.start_factor > 0 && a.start_factor <= 1, 'in (0, 1]', a.start_factor);
  check('linear', 'end_factor', a.end_factor >= 0 && a.end_factor <= 1, 'in [0, 1]', a.end_factor);
  // torch's closed form divides by total_iters.
  check('linear', 'total_iters', isCount(a.total_iters, 1), 'an integer >= 1', a.total_iters);
  return a;
}

/** torch LinearLR: the factor on lr goes linearly from start_factor to end_factor over total_iters steps, then stays. */
export function linearSchedule(baseLr: number, args: Partial<LinearArgs> = {}): Schedule {
  const a = resolve(args);
  const span = a.end_factor - a.start_factor;
  return fixedSchedule(
    formatSpec('linear', a),
    (k) => baseLr * (a.start_factor + (span * Math.min(a.total_iters, k)) / a.total_iters),
  );
}

/** LinearLR.get_lr(): from the group's lr, as ChainedScheduler and SequentialLR step it (and warmup). */
export function linearTorch(args: Partial<LinearArgs>): ChainableLr {
  const a = resolve(args);
  const span = a.end_factor - a.start_factor;
  return (epoch, lr) => {
    if (epoch === 0) return lr * a.start_factor;
    if (epoch > a.total_iters) return lr;
    return lr * (1 + span / (a.total_iters * a.start_factor + (epoch - 1) * span));
  };
}
