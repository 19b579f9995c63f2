/**
 * A learning-rate schedule: the lr for each update, as a plain function of the
 * step (0-based: the lr used by the k-th update, as torch's scheduler gives it
 * after k calls to `scheduler.step()`). Only reduce-on-plateau also needs the
 * losses seen so far; it says so with `needsLoss` and is fed by `observe`.
 */
export interface Schedule {
  /** Canonical spec string, parseable back into the same schedule. */
  readonly spec: string;
  readonly needsLoss: boolean;
  lrAt(step: number): number;
  /** Loss measured at step `step` (plateau schedules only; others ignore it). */
  observe(step: number, loss: number): void;
}

export function constantSchedule(lr: number): Schedule {
  return { spec: 'constant', needsLoss: false, lrAt: () => lr, observe: () => undefined };
}
