import { constantSchedule, type Schedule } from '../schedule';
import { check, formatSpec, isCount } from './scheduleArgs';

export const warmupDefaults = { steps: 10, start_factor: 0.1 };
export type WarmupArgs = typeof warmupDefaults;

/**
 * Linear warmup, then `after` from its own step 0: torch
 * SequentialLR([LinearLR(start_factor, end_factor=1, total_iters=steps), after], milestones=[steps]).
 * The warmup climbs from start_factor·lr to lr, `lr` being the optimizer's
 * initial lr as torch holds it (the parser passes onecycle's max_lr/div_factor
 * when onecycle follows: OneCycleLR overwrites it). `after` then starts with its
 * own lrAt(0), which may differ (a multistep milestone at 0 drops at once, as in
 * torch). Losses seen after the warmup reach `after` with its own step numbers.
 */
export function warmupSchedule(baseLr: number, args: Partial<WarmupArgs> = {}, after?: Schedule): Schedule {
  const a = { ...warmupDefaults, ...args };
  check('warmup', 'steps', isCount(a.steps, 1), 'an integer >= 1', a.steps);
  check('warmup', 'start_factor', a.start_factor > 0 && a.start_factor <= 1, 'in (0, 1]', a.start_factor);
  const next = after ?? constantSchedule(baseLr);
  const target = baseLr;
  return {
    spec: `${formatSpec('warmup', a)}+${next.spec}`,
    needsLoss: next.needsLoss,
    lrAt: (k) => (k < a.steps ? target * (a.start_factor + ((1 - a.start_factor) * k) / a.steps) : next.lrAt(k - a.steps)),
    observe(step, loss) {
      if (step >= a.steps) next.observe(step - a.steps, loss);
    },
  };
}
