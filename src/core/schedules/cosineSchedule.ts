import type { Schedule } from '../schedule';
import { fixedSchedule } from './fixedSchedule';
import { check, formatSpec, isNonNegative, isPositive } from './scheduleArgs';
import type { ChainableLr } from './torchForm';

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

/**
 * CosineAnnealingLR.get_lr(), term for term: a ratio of cosines applied to the group's lr above
 * η_min, except one step after each trough (epoch − 1 − T_max a multiple of 2·T_max, where that
 * ratio would divide by zero), which adds (base − η_min)(1 − cos(π/T_max))/2 instead. Inside a
 * ChainedScheduler that addition is not a product, so the chain climbs out of the trough as
 * torch's does.
 */
export function cosineTorch(args: Partial<CosineArgs>): ChainableLr {
  const a = { ...cosineDefaults, ...args };
  const t = a.T_max;
  const eta = a.eta_min;
  return (epoch, lr, base) => {
    if (epoch === 0) return lr;
    if ((epoch - 1 - t) % (2 * t) === 0) return lr + ((base - eta) * (1 - Math.cos(Math.PI / t))) / 2;
    return ((1 + Math.cos((Math.PI * epoch) / t)) / (1 + Math.cos((Math.PI * (epoch - 1)) / t))) * (lr - eta) + eta;
  };
}
