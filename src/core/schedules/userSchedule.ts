import type { Schedule } from '../schedule';
import { fixedSchedule } from './fixedSchedule';
import { recurrence } from './recurrence';
import { ScheduleError } from './scheduleError';

/**
 * A schedule a user's file exports, told apart by how many parameters it declares:
 *   'factor'  (step) => factor      torch LambdaLR: lr_k = base_lr·factor(k), from step 0
 *   'lr'      (step, lr) => newLr   lr_k = f(k, lr_{k-1}) from step 1, lr_0 = base_lr: torch
 *                                   MultiplicativeLR(λ) is (step, lr) => lr * λ(step)
 * A parameter with a default value or a rest parameter is not counted by JavaScript (fn.length),
 * so both forms must declare theirs plainly.
 */
export type UserScheduleForm = 'factor' | 'lr';

/** The form a function's declared parameters give, or undefined when it is neither (0 or 3+ parameters). */
export function userScheduleForm(fn: (...args: never[]) => unknown): UserScheduleForm | undefined {
  return fn.length === 1 ? 'factor' : fn.length === 2 ? 'lr' : undefined;
}

/** A user schedule that threw or gave an unusable lr at `step`; `cause` is what it threw, if it threw. */
export class UserScheduleError extends ScheduleError {
  readonly step: number;
  readonly threw: boolean;
  override readonly cause: unknown;
  constructor(message: string, step: number, threw: boolean, cause?: unknown) {
    super(message);
    this.name = 'UserScheduleError';
    this.step = step;
    this.threw = threw;
    this.cause = cause;
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'object' && value !== null) return `an object (${Object.prototype.toString.call(value).slice(8, -1)})`;
  return String(value);
}

/**
 * A user's schedule function as a Schedule starting from `baseLr`. Every lr it gives is checked: a
 * throw, a value that is not a number, or an lr that is not finite and >= 0 stops the run with a
 * UserScheduleError naming the step. It is called once per step per pass (values are kept: a
 * preview and then the run call it once each for the first 131 072 steps), so it should be a pure
 * function of its arguments.
 */
export function userSchedule(fn: (...args: number[]) => unknown, form: UserScheduleForm, name: string, baseLr: number, spec: string): Schedule {
  if (!Number.isFinite(baseLr) || baseLr < 0) throw new ScheduleError(`the base lr must be a finite number >= 0, got ${baseLr}`);
  const what = `schedule '${name}'`;
  const call = (step: number, lr?: number): number => {
    let value: unknown;
    try {
      value = form === 'factor' ? fn(step) : fn(step, lr as number);
    } catch (e) {
      throw new UserScheduleError(`${what} threw at step ${step}: ${e instanceof Error ? e.message : String(e)}`, step, true, e);
    }
    const returns = form === 'factor' ? 'a number (the factor on the base lr)' : 'a number (the lr)';
    if (typeof value !== 'number') throw new UserScheduleError(`${what} returned ${describe(value)} at step ${step}; it must return ${returns}`, step, false);
    const next = form === 'factor' ? baseLr * value : value;
    if (!Number.isFinite(next) || next < 0) {
      const how = form === 'factor' ? `factor ${value} × base lr ${baseLr} = lr ${next}` : `lr ${value}`;
      throw new UserScheduleError(`${what} gave ${how} at step ${step}; the lr must be a finite number >= 0`, step, false);
    }
    return next;
  };
  const lrAt =
    form === 'factor'
      ? recurrence(() => call(0), (k) => call(k))
      : recurrence(() => baseLr, (k, lr) => call(k, lr));
  return fixedSchedule(spec, lrAt);
}
