import type { Schedule } from '../schedule';
import { fixedSchedule } from './fixedSchedule';
import { check, formatSpec, isNonNegative, isPositive } from './scheduleArgs';

export const cosineDefaults = { T_max: 100, eta_min: 0 };
export type CosineArgs = typeof cosineDefaults;

/**
 * torch CosineAnnealingLR: lr_k = η_min + (lr − η_min)(1 + cos(πk / T_max))/2.
 * torch steps it with a recursive formula whose values equal this closed form
 * (past T_max both climb back up, with period 2·T_max).
 */
export function cosineSchedule(baseLr: number, args: Partial<CosineArgs> = {}): Schedule {
  const a = { ...cosineDefaults, ...args };
  check('cosine', 'T_max', isPositive(a.T_max), '> 0', a.T_max);
  check('cosine', 'eta_min', isNonNegative(a.eta_min), '>= 0', a.eta_min);
  return fixedSchedule(
    formatSpec('cosine', a),
    (k) => a.eta_min + ((baseLr - a.eta_min) * (1 + Math.cos((Math.PI * k) / a.T_max))) / 2,
  );
}
