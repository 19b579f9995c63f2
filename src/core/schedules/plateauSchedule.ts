import type { Schedule } from '../schedule';
import { check, formatSpec, isCount, isNonNegative } from './scheduleArgs';
import { ScheduleError } from './scheduleError';

export const plateauDefaults = {
  mode: 'min',
  factor: 0.1,
  patience: 10,
  threshold: 1e-4,
  threshold_mode: 'rel',
  cooldown: 0,
  min_lr: 0,
  eps: 1e-8,
};
export type PlateauArgs = typeof plateauDefaults;

/**
 * torch ReduceLROnPlateau, fed the loss of every step: observe(k, loss_k) is
 * torch's scheduler.step(loss_k) after update k, and decides lrAt(k + 1).
 * lrAt(k) answers for every step seen so far (the lr history is kept), and with
 * the latest lr beyond; before any observation that is the initial lr, which is
 * also the schedule's preview. Observations must come in step order from 0, so
 * each run needs a fresh schedule.
 */
export function plateauSchedule(baseLr: number, args: Partial<PlateauArgs> = {}): Schedule {
  const a = { ...plateauDefaults, ...args };
  const name = 'plateau';
  check(name, 'mode', a.mode === 'min' || a.mode === 'max', 'min or max', a.mode);
  check(name, 'factor', a.factor >= 0 && a.factor < 1, 'in [0, 1)', a.factor);
  check(name, 'patience', isCount(a.patience, 0), 'an integer >= 0', a.patience);
  check(name, 'threshold', isNonNegative(a.threshold), '>= 0', a.threshold);
  check(name, 'threshold_mode', a.threshold_mode === 'rel' || a.threshold_mode === 'abs', 'rel or abs', a.threshold_mode);
  check(name, 'cooldown', isCount(a.cooldown, 0), 'an integer >= 0', a.cooldown);
  check(name, 'min_lr', isNonNegative(a.min_lr), '>= 0', a.min_lr);
  check(name, 'eps', isNonNegative(a.eps), '>= 0', a.eps);

  const isBetter = betterThan(a.mode, a.threshold_mode, a.threshold);
  const lrs = [baseLr];
  let best = a.mode === 'min' ? Infinity : -Infinity;
  let badSteps = 0;
  let cooldownLeft = 0;

  return {
    spec: formatSpec(name, a),
    needsLoss: true,
    lrAt: (k) => lrs[Math.max(0, Math.min(k, lrs.length - 1))],
    observe(step, loss) {
      if (step !== lrs.length - 1) {
        throw new ScheduleError(`schedule 'plateau' was given the loss of step ${step}; it expected step ${lrs.length - 1}`);
      }
      // Same order of tests as torch's step(), NaN counting as no improvement.
      if (isBetter(loss, best)) {
        best = loss;
        badSteps = 0;
      } else {
        badSteps += 1;
      }
      if (cooldownLeft > 0) {
        cooldownLeft -= 1;
        badSteps = 0;
      }
      let lr = lrs[lrs.length - 1];
      if (badSteps > a.patience) {
        const reduced = Math.max(lr * a.factor, a.min_lr);
        if (lr - reduced > a.eps) lr = reduced;
        cooldownLeft = a.cooldown;
        badSteps = 0;
      }
      lrs.push(lr);
    },
  };
}

function betterThan(mode: string, thresholdMode: string, threshold: number): (a: number, best: number) => boolean {
  if (mode === 'min') {
    return thresholdMode === 'rel' ? (v, best) => v < best * (1 - threshold) : (v, best) => v < best - threshold;
  }
  return thresholdMode === 'rel' ? (v, best) => v > best * (threshold + 1) : (v, best) => v > best + threshold;
}
