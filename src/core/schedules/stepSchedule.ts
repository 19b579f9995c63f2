import type { Schedule } from '../schedule';
import { fixedSchedule } from './fixedSchedule';
import { check, formatSpec, isCount, isNonNegative } from './scheduleArgs';
import type { ChainableLr } from './torchForm';

export const stepDefaults = { step_size: 30, gamma: 0.1 };
export type StepArgs = typeof stepDefaults;

/** torch StepLR: lr_k = lr·γ^⌊k / step_size⌋. */
export function stepSchedule(baseLr: number, args: Partial<StepArgs> = {}): Schedule {
  const a = { ...stepDefaults, ...args };
  check('step', 'step_size', isCount(a.step_size, 1), 'an integer >= 1', a.step_size);
  check('step', 'gamma', isNonNegative(a.gamma), '>= 0', a.gamma);
  return fixedSchedule(formatSpec('step', a), (k) => baseLr * a.gamma ** Math.floor(k / a.step_size));
}

/** StepLR.get_lr(): from the group's lr, as ChainedScheduler and SequentialLR step it. */
export function stepTorch(args: Partial<StepArgs>): ChainableLr {
  const a = { ...stepDefaults, ...args };
  return (epoch, lr) => (epoch === 0 || epoch % a.step_size !== 0 ? lr : lr * a.gamma);
}
