import type { Schedule } from '../core/schedule';

/** An lr set mid-run: `lr` is the lr of update `step`, and later updates follow the schedule's shape from there. */
export interface LrSet {
  readonly lr: number;
  readonly step: number;
}

/**
 * The run's schedule with the user's mid-run lr, in absolute terms: the update it was set at uses that lr,
 * later ones scale it as the schedule changes from there (a constant schedule keeps it exactly).
 */
export function withLrSet(schedule: Schedule, lrSet: () => LrSet | undefined): Schedule {
  return {
    spec: schedule.spec,
    needsLoss: schedule.needsLoss,
    observe: (step, loss) => schedule.observe(step, loss),
    lrAt(step) {
      const set = lrSet();
      const scheduled = schedule.lrAt(step);
      if (!set || step < set.step) return scheduled;
      const there = schedule.lrAt(set.step);
      return there > 0 ? set.lr * (scheduled / there) : set.lr;
    },
  };
}
