import type { Schedule } from '../schedule';
import { fixedSchedule } from './fixedSchedule';
import { check, formatSpec, isNonNegative, isPositive } from './scheduleArgs';

/**
 * torch requires base_lr and max_lr; these are its documentation's example (base_lr=0.01,
 * max_lr=0.1). step_size_down defaults to step_size_up and scale_mode to the mode's own
 * (iterations for exp_range, cycle otherwise), as in torch; the canonical spec writes both.
 */
export const cyclicDefaults = {
  base_lr: 0.01,
  max_lr: 0.1,
  step_size_up: 2000,
  step_size_down: 2000,
  mode: 'triangular',
  gamma: 1,
  scale_mode: 'cycle',
};
export type CyclicArgs = typeof cyclicDefaults;

const MODES = ['triangular', 'triangular2', 'exp_range'];

/** The arguments with torch's defaults, the derived ones (step_size_down, scale_mode) resolved, checked. */
export function resolveCyclic(args: Partial<CyclicArgs>): CyclicArgs {
  const mode = args.mode ?? cyclicDefaults.mode;
  const up = args.step_size_up ?? cyclicDefaults.step_size_up;
  const a = {
    ...cyclicDefaults,
    ...args,
    step_size_down: args.step_size_down ?? up,
    scale_mode: args.scale_mode ?? (mode === 'exp_range' ? 'iterations' : 'cycle'),
  };
  const name = 'cyclic';
  check(name, 'base_lr', isNonNegative(a.base_lr), '>= 0', a.base_lr);
  check(name, 'max_lr', isNonNegative(a.max_lr), '>= 0', a.max_lr);
  check(name, 'step_size_up', isPositive(a.step_size_up), '> 0', a.step_size_up);
  check(name, 'step_size_down', isPositive(a.step_size_down), '> 0', a.step_size_down);
  check(name, 'mode', MODES.includes(a.mode), 'triangular, triangular2 or exp_range', a.mode);
  // gamma > 1 would grow exp_range's amplitude without bound.
  check(name, 'gamma', a.gamma > 0 && a.gamma <= 1, 'in (0, 1]', a.gamma);
  check(name, 'scale_mode', a.scale_mode === 'cycle' || a.scale_mode === 'iterations', 'cycle or iterations', a.scale_mode);
  return a;
}

function scaleFn(a: CyclicArgs): (x: number) => number {
  if (a.mode === 'triangular2') return (x) => 1 / 2 ** (x - 1);
  if (a.mode === 'exp_range') return (x) => a.gamma ** x;
  return () => 1;
}

/**
 * torch CyclicLR (lr only: torch's optional momentum cycling is not part of a learning-rate
 * schedule). The lr goes from base_lr up to max_lr over step_size_up steps and back down over
 * step_size_down, the amplitude scaled per cycle (triangular2: halved each cycle) or per step
 * (exp_range: gamma^step). A scale_mode other than the mode's own is what torch does with that
 * mode's function passed as scale_fn. Like torch it ignores the optimizer's base lr.
 */
export function cyclicSchedule(args: Partial<CyclicArgs> = {}): Schedule {
  const a = resolveCyclic(args);
  const total = a.step_size_up + a.step_size_down;
  const ratio = a.step_size_up / total;
  const scale = scaleFn(a);
  // CyclicLR.get_lr, term for term.
  return fixedSchedule(formatSpec('cyclic', a), (k) => {
    const cycle = Math.floor(1 + k / total);
    const x = 1 + k / total - cycle;
    const factor = x <= ratio ? x / ratio : (x - 1) / (ratio - 1);
    const height = (a.max_lr - a.base_lr) * factor;
    return a.base_lr + height * scale(a.scale_mode === 'cycle' ? cycle : k);
  });
}
