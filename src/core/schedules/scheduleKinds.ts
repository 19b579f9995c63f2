import { constantSchedule, type Schedule } from '../schedule';
import { cosineDefaults, cosineSchedule } from './cosineSchedule';
import { cosineRestartsDefaults, cosineRestartsSchedule } from './cosineRestartsSchedule';
import { exponentialDefaults, exponentialSchedule } from './exponentialSchedule';
import { multiStepDefaults, multiStepSchedule } from './multiStepSchedule';
import { oneCycleDefaults, oneCycleSchedule } from './oneCycleSchedule';
import { plateauDefaults, plateauSchedule } from './plateauSchedule';
import type { ArgRecord } from './scheduleArgs';
import { stepDefaults, stepSchedule } from './stepSchedule';
import { warmupDefaults, warmupSchedule } from './warmupSchedule';

/** A schedule name of the spec grammar: its keys with their defaults (torch's), and its factory. */
export interface ScheduleKind<T extends ArgRecord = ArgRecord> {
  readonly defaults: T;
  /** `totalSteps` is the run's length when known (onecycle's default total_steps). */
  create(baseLr: number, args: Partial<T>, totalSteps?: number): Schedule;
}

const kind = <T extends ArgRecord>(defaults: T, create: ScheduleKind<T>['create']): ScheduleKind => ({
  defaults,
  create: create as ScheduleKind['create'],
});

/** Every schedule the spec grammar knows. Here `warmup` is followed by constant; the parser composes 'warmup:...+SPEC'. */
export const scheduleKinds: Readonly<Record<string, ScheduleKind>> = {
  constant: kind({}, (lr) => constantSchedule(lr)),
  step: kind(stepDefaults, (lr, a) => stepSchedule(lr, a)),
  multistep: kind(multiStepDefaults, (lr, a) => multiStepSchedule(lr, a)),
  exponential: kind(exponentialDefaults, (lr, a) => exponentialSchedule(lr, a)),
  cosine: kind(cosineDefaults, (lr, a) => cosineSchedule(lr, a)),
  'cosine-restarts': kind(cosineRestartsDefaults, (lr, a) => cosineRestartsSchedule(lr, a)),
  onecycle: kind(oneCycleDefaults, (_lr, a, totalSteps) =>
    oneCycleSchedule(a.total_steps === undefined && totalSteps !== undefined ? { ...a, total_steps: totalSteps } : a),
  ),
  plateau: kind(plateauDefaults, (lr, a) => plateauSchedule(lr, a)),
  warmup: kind(warmupDefaults, (lr, a) => warmupSchedule(lr, a)),
};

export const scheduleNames: readonly string[] = Object.keys(scheduleKinds);
