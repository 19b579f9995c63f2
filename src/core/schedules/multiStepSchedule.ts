import type { Schedule } from '../schedule';
import { fixedSchedule } from './fixedSchedule';
import { check, formatSpec, isCount, isNonNegative } from './scheduleArgs';
import type { ChainableLr } from './torchForm';

export const multiStepDefaults = { milestones: [30, 80], gamma: 0.1 };
export type MultiStepArgs = typeof multiStepDefaults;

/**
 * torch MultiStepLR: lr_k = lr·γ^(number of milestones ≤ k). A milestone given
 * twice decays twice (torch counts them), so the canonical spec keeps repeats.
 */
export function multiStepSchedule(baseLr: number, args: Partial<MultiStepArgs> = {}): Schedule {
  const a = { ...multiStepDefaults, ...args };
  for (const m of a.milestones) check('multistep', 'milestones', isCount(m, 0), 'integers >= 0', a.milestones.join(';'));
  check('multistep', 'gamma', isNonNegative(a.gamma), '>= 0', a.gamma);
  const milestones = [...a.milestones].sort((x, y) => x - y);
  const passed = (k: number) => milestones.filter((m) => m <= k).length;
  return fixedSchedule(formatSpec('multistep', { ...a, milestones }), (k) => baseLr * a.gamma ** passed(k));
}

/** MultiStepLR.get_lr(): γ to the number of times the epoch is a milestone, on the group's lr. */
export function multiStepTorch(args: Partial<MultiStepArgs>): ChainableLr {
  const a = { ...multiStepDefaults, ...args };
  return (epoch, lr) => {
    const count = a.milestones.filter((m) => m === epoch).length;
    return count === 0 ? lr : lr * a.gamma ** count;
  };
}
