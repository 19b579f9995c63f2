import type { Schedule } from '../schedule';
import { oneCycleInitialLr } from './oneCycleSchedule';
import { parseArgs } from './scheduleArgs';
import { ScheduleError } from './scheduleError';
import { scheduleKinds, scheduleNames } from './scheduleKinds';
import { warmupSchedule } from './warmupSchedule';

/**
 * Parses a schedule spec into a Schedule starting from `baseLr`:
 *   name[:key=value,...]                  e.g. 'cosine:T_max=100,eta_min=0'
 *   warmup[:steps=N,start_factor=F]+SPEC  linear warmup, then SPEC from its step 0
 * Names and keys follow torch.optim.lr_scheduler; every key is optional (torch's
 * default); list values are written 'a;b'. `totalSteps`, the run's length, is
 * onecycle's default total_steps (less the warmup when onecycle follows one).
 * `schedule.spec` is the canonical form, which parses back to the same schedule.
 * Errors are ScheduleErrors naming the problem and the valid names or keys.
 */
export function parseSchedule(spec: string | undefined, baseLr: number, totalSteps?: number): Schedule {
  if (!Number.isFinite(baseLr) || baseLr < 0) throw new ScheduleError(`the base lr must be a finite number >= 0, got ${baseLr}`);
  if (totalSteps !== undefined && !(Number.isInteger(totalSteps) && totalSteps >= 1)) {
    throw new ScheduleError(`the run's total steps must be an integer >= 1, got ${totalSteps}`);
  }
  return parseChain((spec ?? '').trim(), baseLr, totalSteps).schedule;
}

/** A parsed spec and the optimizer lr torch would hold as 'initial_lr' (what a warmup ramps to). */
interface Parsed {
  schedule: Schedule;
  initialLr: number;
}

function parseChain(text: string, baseLr: number, totalSteps: number | undefined): Parsed {
  // '+' joins schedules; one followed by a digit belongs to a number such as 1e+5.
  const plus = text.search(/\+(?=\s*[A-Za-z])/);
  const head = plus < 0 ? text : text.slice(0, plus).trim();
  const rest = plus < 0 ? undefined : text.slice(plus + 1).trim();
  const colon = head.indexOf(':');
  const name = (colon < 0 ? head : head.slice(0, colon)).trim() || 'constant';
  const argText = colon < 0 ? '' : head.slice(colon + 1).trim();

  const kind = Object.hasOwn(scheduleKinds, name) ? scheduleKinds[name] : undefined;
  if (!kind) throw new ScheduleError(`unknown schedule '${name}'; valid: ${scheduleNames.join(', ')}`);
  const args = parseArgs(name, kind.defaults, argText);
  if (name === 'warmup' && rest) {
    kind.create(baseLr, args); // reports a bad warmup key before anything after '+'
    const steps = Number(args.steps ?? kind.defaults.steps);
    const after = parseChain(rest, baseLr, totalSteps === undefined ? undefined : Math.max(1, totalSteps - steps));
    return { schedule: warmupSchedule(after.initialLr, args, after.schedule), initialLr: after.initialLr };
  }
  if (rest !== undefined) {
    throw new ScheduleError(`only warmup can be followed by '+<schedule>' ('${name}' was followed by '+${rest}')`);
  }
  const schedule = kind.create(baseLr, args, totalSteps);
  return { schedule, initialLr: name === 'onecycle' ? oneCycleInitialLr(args) : baseLr };
}
