import { check, isCount } from './scheduleArgs';

export const warmupDefaults = { steps: 10, start_factor: 0.1 };
export type WarmupArgs = typeof warmupDefaults;

/**
 * 'warmup:steps=N,start_factor=F+SPEC' is torch's
 * SequentialLR([LinearLR(start_factor=F, end_factor=1, total_iters=N), SPEC], milestones=[N]):
 * a linear climb from F·lr to lr, `lr` being the optimizer's initial lr as torch holds it (when
 * SPEC is a onecycle, its max_lr/div_factor: OneCycleLR overwrites it), then SPEC from its own
 * step 0 (the parser builds it as a sequential, buildSchedule.ts). These are its arguments, checked.
 */
export function resolveWarmup(args: Partial<WarmupArgs>): WarmupArgs {
  const a = { ...warmupDefaults, ...args };
  check('warmup', 'steps', isCount(a.steps, 1), 'an integer >= 1', a.steps);
  check('warmup', 'start_factor', a.start_factor > 0 && a.start_factor <= 1, 'in (0, 1]', a.start_factor);
  return a;
}
