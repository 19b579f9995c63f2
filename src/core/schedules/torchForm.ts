import type { Schedule } from '../schedule';

/**
 * torch's optimizer param group as its schedulers share it: the lr every scheduler reads and
 * writes, and 'initial_lr', which the first scheduler built sets (setdefault) and becomes every
 * later scheduler's base_lrs (OneCycleLR overwrites it).
 */
export interface ParamGroup {
  lr: number;
  initialLr?: number;
}

/**
 * One torch scheduler after its constructor ran, as ChainedScheduler and SequentialLR step it:
 * each step reads the group's lr and returns the new one.
 */
export interface TorchStepper {
  /** The scheduler ignores the lr it is given (torch computes it from base_lrs and the epoch alone). */
  readonly closed: boolean;
  /** get_lr() at last_epoch 0: the initial step SequentialLR runs again for its first scheduler. */
  first(lr: number): number;
  /** step(): get_lr() at last_epoch = epoch >= 1. */
  step(epoch: number, lr: number): number;
  /** step(0), what SequentialLR calls at a milestone: the closed form at epoch 0, or get_lr() where torch has none. */
  restart(lr: number): number;
}

/** A scheduler's constructor on a param group: it may change the group, and returns the scheduler. */
export type TorchConstructor = (group: ParamGroup) => TorchStepper;

/** torch's get_lr() of a chainable scheduler: the new lr from the group's lr, at last_epoch `epoch`. */
export type ChainableLr = (epoch: number, lr: number, base: number) => number;

/** `_LRScheduler.__init__`: 'initial_lr' defaults to the group's lr and is the scheduler's base lr. */
function baseOf(group: ParamGroup): number {
  group.initialLr ??= group.lr;
  return group.initialLr;
}

/**
 * A scheduler whose get_lr() works from the group's current lr (StepLR, ExponentialLR, LinearLR...),
 * so inside a ChainedScheduler the members' factors multiply. `closedAt0` is its closed form at
 * epoch 0 (what step(0) gives); without one (MultiplicativeLR) step(0) leaves the lr as it is.
 */
export function chainableForm(getLr: ChainableLr, closedAt0?: (base: number) => number): TorchConstructor {
  return (group) => {
    const base = baseOf(group);
    group.lr = getLr(0, group.lr, base);
    return {
      closed: false,
      first: (lr) => getLr(0, lr, base),
      step: (epoch, lr) => getLr(epoch, lr, base),
      restart: (lr) => (closedAt0 ? closedAt0(base) : getLr(0, lr, base)),
    };
  };
}

/** What a closed-form scheduler's constructor does to the param group besides the usual. */
export interface ClosedFormHooks {
  /** CyclicLR sets the group's lr to its base_lr before anything else. */
  readonly lr?: number;
  /** OneCycleLR overwrites 'initial_lr' (and reads it back as its base). */
  readonly initialLr?: number;
  /**
   * CyclicLR's constructor runs its initial step before it sets its own base_lrs, so that step
   * (epoch 0, the bottom of the cycle) gives the group's 'initial_lr': its base_lr only when it is
   * the first scheduler built on the group.
   */
  readonly initialStepAtInitialLr?: boolean;
}

/**
 * A scheduler torch computes from base_lrs and the epoch only (LambdaLR, CosineAnnealingWarmRestarts,
 * CyclicLR, OneCycleLR): `at(base)` is the schedule it follows. Inside a ChainedScheduler it sets
 * the lr outright, so the members stepped before it have no effect on that step.
 */
export function closedForm(at: (base: number) => Schedule, hooks: ClosedFormHooks = {}): TorchConstructor {
  return (group) => {
    if (hooks.lr !== undefined) group.lr = hooks.lr;
    if (hooks.initialLr !== undefined) group.initialLr = hooks.initialLr;
    const base = baseOf(group);
    const schedule = at(base);
    group.lr = hooks.initialStepAtInitialLr ? base : schedule.lrAt(0);
    return {
      closed: true,
      first: () => schedule.lrAt(0),
      step: (epoch) => schedule.lrAt(epoch),
      restart: () => schedule.lrAt(0),
    };
  };
}
