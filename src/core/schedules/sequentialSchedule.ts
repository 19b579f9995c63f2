import type { Schedule } from '../schedule';
import { recurrence } from './recurrence';
import type { ParamGroup, TorchConstructor } from './torchForm';

/** One phase of a sequential schedule: the schedule itself (its spec, losses) and how torch builds and steps it. */
export interface SequentialPhase {
  readonly schedule: Schedule;
  readonly torch: TorchConstructor;
}

/**
 * torch SequentialLR(schedulers, milestones), as torch 1.13 steps it. The schedulers are built in
 * order on one param group (so a onecycle changes the 'initial_lr' the others start from), then the
 * group's lr goes back to 'initial_lr' and only the first scheduler's initial step runs again. At
 * milestone m the next scheduler is stepped with step(0): schedulers with a closed form restart from
 * it (from their own base lr), but MultiplicativeLR has none and keeps the lr the previous phase
 * reached at m − 1 (so its phase starts from there, not from the base lr). Between milestones each
 * scheduler steps from the group's lr with its own epoch count (k − m).
 * Losses reach the phase that is running, with its own step numbers (a plateau phase).
 */
export function sequentialSchedule(baseLr: number, milestones: readonly number[], phases: readonly SequentialPhase[], spec: string): Schedule {
  const group: ParamGroup = { lr: baseLr };
  const steppers = phases.map((p) => p.torch(group));
  const resetLr = group.initialLr ?? baseLr;
  const starts = [0, ...milestones];
  // bisect_right(milestones, k): the phase running at step k.
  const phaseOf = (k: number): number => {
    let i = 0;
    while (i < milestones.length && milestones[i] <= k) i++;
    return i;
  };
  // A chainable phase's lrs follow from its first one; kept per phase while that first lr is the same.
  const runs: ({ first: number; at: (epoch: number) => number } | undefined)[] = [];

  const lrAt = (step: number): number => {
    const k = Math.max(0, Math.floor(step));
    const i = phaseOf(k);
    const s = steppers[i];
    const epoch = k - starts[i];
    if (s.closed) return epoch > 0 ? s.step(epoch, NaN) : i === 0 ? s.first(resetLr) : s.restart(NaN);
    // Asked every time: before it, a plateau phase's lrs change as losses arrive.
    const first = i === 0 ? s.first(resetLr) : s.restart(lrAt(starts[i] - 1));
    let run = runs[i];
    if (run?.first !== first) {
      run = { first, at: recurrence(() => first, (e, lr) => s.step(e, lr)) };
      runs[i] = run;
    }
    return run.at(epoch);
  };

  return {
    spec,
    needsLoss: phases.some((p) => p.schedule.needsLoss),
    lrAt,
    observe(step, loss) {
      const i = phaseOf(step);
      if (phases[i].schedule.needsLoss) phases[i].schedule.observe(step - starts[i], loss);
    },
  };
}
