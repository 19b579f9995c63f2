import type { Schedule } from '../schedule';
import { fixedSchedule } from './fixedSchedule';
import { check, formatSpec, isCount, isPositive } from './scheduleArgs';
import { ScheduleError } from './scheduleError';

export const oneCycleDefaults = {
  max_lr: 0.1,
  total_steps: 1000,
  pct_start: 0.3,
  anneal_strategy: 'cos',
  div_factor: 25,
  final_div_factor: 1e4,
  three_phase: false,
};
export type OneCycleArgs = typeof oneCycleDefaults;

/** The lr onecycle starts from, max_lr/div_factor (torch stores it as the group's initial lr). */
export function oneCycleInitialLr(args: Partial<OneCycleArgs>): number {
  return (args.max_lr ?? oneCycleDefaults.max_lr) / (args.div_factor ?? oneCycleDefaults.div_factor);
}

interface Phase {
  endStep: number;
  startLr: number;
  endLr: number;
}

/**
 * torch OneCycleLR (lr only; torch's optional momentum cycling is not part of a
 * learning-rate schedule). Warms from max_lr/div_factor up to max_lr over
 * pct_start of total_steps, then anneals down to max_lr/(div_factor·final_div_factor);
 * three_phase goes back to the initial lr before the final anneal. Like torch it
 * ignores the optimizer's base lr. torch refuses to step past total_steps; here
 * steps from total_steps on hold the final lr.
 */
export function oneCycleSchedule(args: Partial<OneCycleArgs> = {}): Schedule {
  const a = { ...oneCycleDefaults, ...args };
  const name = 'onecycle';
  check(name, 'max_lr', isPositive(a.max_lr), '> 0', a.max_lr);
  check(name, 'total_steps', isCount(a.total_steps, 1), 'an integer >= 1', a.total_steps);
  check(name, 'pct_start', a.pct_start > 0 && a.pct_start < 1, 'in (0, 1)', a.pct_start);
  check(name, 'anneal_strategy', a.anneal_strategy === 'cos' || a.anneal_strategy === 'linear', 'cos or linear', a.anneal_strategy);
  check(name, 'div_factor', isPositive(a.div_factor), '> 0', a.div_factor);
  check(name, 'final_div_factor', isPositive(a.final_div_factor), '> 0', a.final_div_factor);
  check(name, 'three_phase', typeof a.three_phase === 'boolean', 'true or false', a.three_phase);

  const initialLr = oneCycleInitialLr(a);
  const minLr = initialLr / a.final_div_factor;
  const n = a.total_steps;
  const p = a.pct_start;
  // Phase boundaries exactly as torch computes them.
  const phases: Phase[] = a.three_phase
    ? [
        { endStep: p * n - 1, startLr: initialLr, endLr: a.max_lr },
        { endStep: 2 * p * n - 2, startLr: a.max_lr, endLr: initialLr },
        { endStep: n - 1, startLr: initialLr, endLr: minLr },
      ]
    : [
        { endStep: p * n - 1, startLr: initialLr, endLr: a.max_lr },
        { endStep: n - 1, startLr: a.max_lr, endLr: minLr },
      ];
  let start = 0;
  for (const phase of phases) {
    if (!(phase.endStep > start)) {
      throw new ScheduleError(
        `schedule 'onecycle': total_steps=${n} is too short for pct_start=${p}${a.three_phase ? ' with three_phase' : ''} (a phase would be empty or negative)`,
      );
    }
    start = phase.endStep;
  }
  const anneal =
    a.anneal_strategy === 'cos'
      ? (from: number, to: number, pct: number) => to + ((from - to) / 2) * (Math.cos(Math.PI * pct) + 1)
      : (from: number, to: number, pct: number) => (to - from) * pct + from;

  return fixedSchedule(formatSpec(name, a), (k) => {
    if (k >= n) return minLr;
    let startStep = 0;
    for (let i = 0; i < phases.length; i++) {
      const { endStep, startLr, endLr } = phases[i];
      if (k <= endStep || i === phases.length - 1) return anneal(startLr, endLr, (k - startStep) / (endStep - startStep));
      startStep = endStep;
    }
    return minLr;
  });
}
