import type { Schedule } from '../schedule';
import { fixedSchedule } from './fixedSchedule';
import { check, formatSpec, isCount, isNonNegative } from './scheduleArgs';
import type { ChainableLr } from './torchForm';

export const polynomialDefaults = { total_iters: 5, power: 1 };
export type PolynomialArgs = typeof polynomialDefaults;

function resolve(args: Partial<PolynomialArgs>): PolynomialArgs {
  const a = { ...polynomialDefaults, ...args };
  check('polynomial', 'total_iters', isCount(a.total_iters, 1), 'an integer >= 1', a.total_iters);
  // A negative power would divide by zero at total_iters (0 ** -p).
  check('polynomial', 'power', isNonNegative(a.power), '>= 0', a.power);
  return a;
}

/** torch PolynomialLR: lr·(1 − min(k, total_iters)/total_iters)^power, so 0 from total_iters on (power > 0). */
export function polynomialSchedule(baseLr: number, args: Partial<PolynomialArgs> = {}): Schedule {
  const a = resolve(args);
  return fixedSchedule(formatSpec('polynomial', a), (k) => baseLr * (1 - Math.min(a.total_iters, k) / a.total_iters) ** a.power);
}

/** PolynomialLR.get_lr(): from the group's lr, as ChainedScheduler and SequentialLR step it. */
export function polynomialTorch(args: Partial<PolynomialArgs>): ChainableLr {
  const a = resolve(args);
  const n = a.total_iters;
  return (epoch, lr) => {
    if (epoch === 0 || epoch > n) return lr;
    return lr * ((1 - epoch / n) / (1 - (epoch - 1) / n)) ** a.power;
  };
}
