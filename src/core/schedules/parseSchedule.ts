import { constantSchedule, type Schedule } from '../schedule';

/**
 * Parses a schedule spec such as 'cosine:T_max=100,eta_min=0' into a Schedule
 * starting from `baseLr`. (Being filled in: only 'constant' so far.)
 */
export function parseSchedule(spec: string | undefined, baseLr: number): Schedule {
  if (spec === undefined || spec === '' || spec === 'constant') return constantSchedule(baseLr);
  throw new Error(`unknown schedule '${spec}'`);
}
