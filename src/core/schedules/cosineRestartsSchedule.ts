import type { Schedule } from '../schedule';
import { fixedSchedule } from './fixedSchedule';
import { check, formatSpec, isCount, isNonNegative } from './scheduleArgs';

export const cosineRestartsDefaults = { T_0: 50, T_mult: 1, eta_min: 0 };
export type CosineRestartsArgs = typeof cosineRestartsDefaults;

/**
 * torch CosineAnnealingWarmRestarts (SGDR): cosine annealing from lr to η_min
 * over T_i steps, then a restart; T_0 for the first period, T_i·T_mult after.
 */
export function cosineRestartsSchedule(baseLr: number, args: Partial<CosineRestartsArgs> = {}): Schedule {
  const a = { ...cosineRestartsDefaults, ...args };
  check('cosine-restarts', 'T_0', isCount(a.T_0, 1), 'an integer >= 1', a.T_0);
  check('cosine-restarts', 'T_mult', isCount(a.T_mult, 1), 'an integer >= 1', a.T_mult);
  check('cosine-restarts', 'eta_min', isNonNegative(a.eta_min), '>= 0', a.eta_min);
  return fixedSchedule(formatSpec('cosine-restarts', a), (k) => {
    // Integer walk over the periods (torch's log-based closed form can misplace exact restarts).
    let tCur = a.T_mult === 1 ? k % a.T_0 : k;
    let tI = a.T_0;
    while (tCur >= tI) {
      tCur -= tI;
      tI *= a.T_mult;
    }
    return a.eta_min + ((baseLr - a.eta_min) * (1 + Math.cos((Math.PI * tCur) / tI))) / 2;
  });
}
