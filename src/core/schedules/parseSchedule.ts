import type { Schedule } from '../schedule';
import { build, milestonesOf } from './buildSchedule';
import { ScheduleError } from './scheduleError';
import { readScheduleSyntax } from './scheduleSyntax';

/**
 * Parses a schedule spec into a Schedule starting from `baseLr`:
 *   name[:key=value,...]                       e.g. 'cosine:T_max=100,eta_min=0'
 *   A*B*...                                    torch ChainedScheduler: every member steps the lr in turn
 *   warmup[:steps=N,start_factor=F]+SPEC       linear warmup, then SPEC from its step 0
 *   sequential:milestones=m1;...+P0+P1+...     torch SequentialLR: P0 until m1, P1 from m1, ...
 * '*' binds tighter than '+'; parentheses group (scheduleSyntax.ts). Names and keys follow
 * torch.optim.lr_scheduler; every key is optional (torch's default; sequential needs its
 * milestones); list values are written 'a;b'. `totalSteps`, the run's length, is onecycle's
 * default total_steps (a phase's length inside a sequential or after a warmup).
 * `schedule.spec` is the canonical form, which parses back to the same schedule.
 * Errors are ScheduleErrors naming the problem and the valid names or keys.
 */
export function parseSchedule(spec: string | undefined, baseLr: number, totalSteps?: number): Schedule {
  if (!Number.isFinite(baseLr) || baseLr < 0) throw new ScheduleError(`the base lr must be a finite number >= 0, got ${baseLr}`);
  if (totalSteps !== undefined && !(Number.isInteger(totalSteps) && totalSteps >= 1)) {
    throw new ScheduleError(`the run's total steps must be an integer >= 1, got ${totalSteps}`);
  }
  const syntax = readScheduleSyntax((spec ?? '').trim(), (args) => milestonesOf(args).length);
  return build(syntax, { baseLr, totalSteps }).schedule;
}
