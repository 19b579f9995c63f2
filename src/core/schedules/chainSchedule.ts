import type { Schedule } from '../schedule';
import { fixedSchedule } from './fixedSchedule';
import { recurrence } from './recurrence';
import type { ParamGroup, TorchConstructor } from './torchForm';

/** One member of a chain: its canonical spec and how torch builds and steps it. */
export interface ChainMember {
  readonly spec: string;
  readonly torch: TorchConstructor;
}

/**
 * torch ChainedScheduler(schedulers): the members are built in order on one param group (each
 * constructor's initial step acts on the lr the previous ones left), and every step() steps each
 * member in order on the group's lr. For the members torch computes from the current lr (step,
 * multistep, exponential, constantlr, linear, polynomial, multiplicative, cosine with eta_min=0
 * before its first trough) the lr is the base lr times the product of their factors. A member
 * torch computes from its closed form (cosine-restarts, cyclic, onecycle) sets the lr outright,
 * so those before it count for nothing and those after multiply in only their latest step's change.
 * The spec is the members' specs joined by '*'.
 */
export function chainSchedule(baseLr: number, members: readonly ChainMember[]): Schedule {
  const group: ParamGroup = { lr: baseLr };
  const steppers = members.map((m) => m.torch(group));
  const lr0 = group.lr;
  const lrAt = recurrence(
    () => lr0,
    (k, lr) => steppers.reduce((x, s) => s.step(k, x), lr),
  );
  return fixedSchedule(members.map((m) => m.spec).join('*'), lrAt);
}
