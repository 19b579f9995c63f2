import { constantSchedule, type Schedule } from '../schedule';
import { constantLrDefaults, constantLrSchedule, constantLrTorch } from './constantLrSchedule';
import { cosineDefaults, cosineSchedule, cosineTorch } from './cosineSchedule';
import { cosineRestartsDefaults, cosineRestartsSchedule } from './cosineRestartsSchedule';
import { cyclicDefaults, cyclicSchedule, resolveCyclic } from './cyclicSchedule';
import { exponentialDefaults, exponentialSchedule, exponentialTorch } from './exponentialSchedule';
import { linearDefaults, linearSchedule, linearTorch } from './linearSchedule';
import { multiplicativeDefaults, multiplicativeSchedule, multiplicativeTorch } from './multiplicativeSchedule';
import { multiStepDefaults, multiStepSchedule, multiStepTorch } from './multiStepSchedule';
import { oneCycleDefaults, oneCycleInitialLr, oneCycleSchedule } from './oneCycleSchedule';
import { plateauDefaults, plateauSchedule } from './plateauSchedule';
import { polynomialDefaults, polynomialSchedule, polynomialTorch } from './polynomialSchedule';
import type { ArgRecord } from './scheduleArgs';
import { stepDefaults, stepSchedule, stepTorch } from './stepSchedule';
import { chainableForm, closedForm, type ChainableLr, type ClosedFormHooks, type TorchConstructor } from './torchForm';

/** A schedule name of the spec grammar: its keys with their defaults (torch's), and its factories. */
export interface ScheduleKind<T extends ArgRecord = ArgRecord> {
  readonly defaults: T;
  /** torch.optim.lr_scheduler's class ('constant': none, torch runs no scheduler), for the copy-as-torch snippet. */
  readonly torchClass?: string;
  /** `totalSteps` is the run's length when known (onecycle's default total_steps). */
  create(baseLr: number, args: Partial<T>, totalSteps?: number): Schedule;
  /**
   * How torch builds and steps it as a member of a ChainedScheduler or a phase of a SequentialLR.
   * Absent for plateau: ReduceLROnPlateau is stepped with a loss, which neither of them passes on.
   */
  torch?(args: Partial<T>, totalSteps?: number): TorchConstructor;
}

type Create<T extends ArgRecord> = ScheduleKind<T>['create'];

/** A kind torch steps from the group's lr; step(0) gives its closed form at 0 unless `noClosedForm`. */
function chainable<T extends ArgRecord>(defaults: T, create: Create<T>, getLr: (a: Partial<T>) => ChainableLr, noClosedForm = false): ScheduleKind {
  return {
    defaults,
    create: create as ScheduleKind['create'],
    torch: ((a: Partial<T>, n?: number) =>
      chainableForm(getLr(a), noClosedForm ? undefined : (base) => create(base, a, n).lrAt(0))) as ScheduleKind['torch'],
  };
}

/** A kind torch computes from its base lr and the epoch alone. */
function closed<T extends ArgRecord>(defaults: T, create: Create<T>, hooks?: (a: Partial<T>) => ClosedFormHooks): ScheduleKind {
  return {
    defaults,
    create: create as ScheduleKind['create'],
    torch: ((a: Partial<T>, n?: number) => closedForm((base) => create(base, a, n), hooks?.(a))) as ScheduleKind['torch'],
  };
}

const withTorchClass = (torchClass: string, kind: ScheduleKind): ScheduleKind => ({ ...kind, torchClass });

/**
 * Every single schedule the spec grammar knows. 'constant' is torch's LambdaLR(lambda k: 1) where
 * torch needs a scheduler (a sequential phase). Compositions (warmup, sequential, A*B) are built by
 * the parser (buildSchedule.ts).
 */
export const scheduleKinds: Readonly<Record<string, ScheduleKind>> = {
  constant: closed({}, (lr) => constantSchedule(lr)),
  step: withTorchClass('StepLR', chainable(stepDefaults, (lr, a) => stepSchedule(lr, a), stepTorch)),
  multistep: withTorchClass('MultiStepLR', chainable(multiStepDefaults, (lr, a) => multiStepSchedule(lr, a), multiStepTorch)),
  exponential: withTorchClass('ExponentialLR', chainable(exponentialDefaults, (lr, a) => exponentialSchedule(lr, a), exponentialTorch)),
  cosine: withTorchClass('CosineAnnealingLR', chainable(cosineDefaults, (lr, a) => cosineSchedule(lr, a), cosineTorch)),
  'cosine-restarts': withTorchClass('CosineAnnealingWarmRestarts', closed(cosineRestartsDefaults, (lr, a) => cosineRestartsSchedule(lr, a))),
  onecycle: withTorchClass('OneCycleLR', closed(
    oneCycleDefaults,
    (_lr, a, totalSteps) =>
      oneCycleSchedule(a.total_steps === undefined && totalSteps !== undefined ? { ...a, total_steps: totalSteps } : a),
    (a) => ({ initialLr: oneCycleInitialLr(a) }),
  )),
  plateau: withTorchClass('ReduceLROnPlateau', { defaults: plateauDefaults, create: ((lr: number, a: Partial<typeof plateauDefaults>) => plateauSchedule(lr, a)) as ScheduleKind['create'] }),
  constantlr: withTorchClass('ConstantLR', chainable(constantLrDefaults, (lr, a) => constantLrSchedule(lr, a), constantLrTorch)),
  linear: withTorchClass('LinearLR', chainable(linearDefaults, (lr, a) => linearSchedule(lr, a), linearTorch)),
  polynomial: withTorchClass('PolynomialLR', chainable(polynomialDefaults, (lr, a) => polynomialSchedule(lr, a), polynomialTorch)),
  multiplicative: withTorchClass('MultiplicativeLR', chainable(multiplicativeDefaults, (lr, a) => multiplicativeSchedule(lr, a), multiplicativeTorch, true)),
  cyclic: withTorchClass('CyclicLR', closed(cyclicDefaults, (_lr, a) => cyclicSchedule(a), (a) => ({ lr: resolveCyclic(a).base_lr, initialStepAtInitialLr: true }))),
};

/** Names that compose schedules after '+' (warmup:...+SPEC, sequential:milestones=...+SPEC+SPEC). */
export const compositionNames: readonly string[] = ['warmup', 'sequential'];

/** Every name a spec may start with, for messages. */
export const scheduleNames: readonly string[] = [...Object.keys(scheduleKinds), ...compositionNames];
