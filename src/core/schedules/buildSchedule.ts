import type { Schedule } from '../schedule';
import { chainSchedule } from './chainSchedule';
import { oneCycleInitialLr } from './oneCycleSchedule';
import { check, formatSpec, isCount, parseArgs } from './scheduleArgs';
import { ScheduleError } from './scheduleError';
import { scheduleKinds, scheduleNames } from './scheduleKinds';
import type { ScheduleNode } from './scheduleSyntax';
import { sequentialSchedule, type SequentialPhase } from './sequentialSchedule';
import { closedForm, type TorchConstructor } from './torchForm';
import { resolveWarmup, warmupDefaults } from './warmupSchedule';

export const sequentialDefaults = { milestones: [] as number[] };

/** A schedule built from a spec, with what a composition around it needs to know. */
interface Built {
  readonly schedule: Schedule;
  /** A single torch scheduler's form (chain member, sequential phase); absent for plateau and compositions. */
  readonly torch?: TorchConstructor;
  /** A warmup or sequential: it takes the phases after a '+', so it is parenthesised where more phases follow. */
  readonly takesPhases: boolean;
  /** The initial lr of the onecycle inside, which torch writes into the param group as 'initial_lr'. */
  readonly oneCycleLr?: number;
  /** How many onecycles it holds (a composition may hold one). */
  readonly oneCycles: number;
}

interface Context {
  readonly baseLr: number;
  /** The steps this part runs for when known (onecycle's default total_steps). */
  readonly totalSteps?: number;
}

/** The sequential milestones a spec gives (parseArgs checks them as numbers). */
export function milestonesOf(args: string): number[] {
  return parseArgs('sequential', sequentialDefaults, args).milestones ?? [];
}

function leaf(name: string, argText: string, ctx: Context): Built {
  const kind = Object.hasOwn(scheduleKinds, name) ? scheduleKinds[name] : undefined;
  if (!kind) throw new ScheduleError(`unknown schedule '${name}'; valid: ${scheduleNames.join(', ')}`);
  const args = parseArgs(name, kind.defaults, argText);
  const schedule = kind.create(ctx.baseLr, args, ctx.totalSteps);
  const oneCycle = name === 'onecycle';
  return {
    schedule,
    torch: kind.torch?.(args, ctx.totalSteps),
    takesPhases: false,
    ...(oneCycle ? { oneCycleLr: oneCycleInitialLr(args) } : {}),
    oneCycles: oneCycle ? 1 : 0,
  };
}

/**
 * A phase as SequentialLR runs it: a single torch scheduler as torch would, anything else (plateau,
 * a chain, a parenthesised composition; torch's SequentialLR cannot hold these) restarted at its
 * milestone from its own step 0, as built from the run's lr.
 */
function phaseOf(b: Built): SequentialPhase {
  const fresh = b.schedule;
  return { schedule: b.schedule, torch: b.torch ?? closedForm(() => fresh, { initialLr: b.oneCycleLr }) };
}

function composed(schedule: Schedule, parts: readonly Built[], takesPhases: boolean): Built {
  const oneCycles = parts.reduce((n, p) => n + p.oneCycles, 0);
  if (oneCycles > 1) {
    throw new ScheduleError(
      `a composition may hold one onecycle, this one holds ${oneCycles} (torch keeps onecycle's lrs in the optimizer's param group, so a second would change the first)`,
    );
  }
  const oneCycleLr = parts.find((p) => p.oneCycleLr !== undefined)?.oneCycleLr;
  return { schedule, takesPhases, oneCycles, ...(oneCycleLr !== undefined ? { oneCycleLr } : {}) };
}

function chain(members: readonly ScheduleNode[], ctx: Context): Built {
  const built = members.map((m) => build(m, ctx));
  const parts = built.map((b, i) => {
    const member = members[i];
    if (member.type !== 'leaf' || member.name === 'constant' || !b.torch) {
      throw new ScheduleError(
        `'${b.schedule.spec}' cannot be a member of a chain (A*B): members are single torch schedules other than constant and plateau`,
      );
    }
    return { spec: b.schedule.spec, torch: b.torch };
  });
  return composed(chainSchedule(ctx.baseLr, parts), built, false);
}

/** A phase's spec inside a sequential: compositions that take phases are parenthesised unless last. */
function phaseSpec(b: Built, last: boolean): string {
  return b.takesPhases && !last ? `(${b.schedule.spec})` : b.schedule.spec;
}

function sequential(argText: string, phases: readonly ScheduleNode[], ctx: Context): Built {
  const milestones = milestonesOf(argText);
  const increasing = milestones.every((m, i) => isCount(m, 1) && (i === 0 || m > milestones[i - 1]));
  check('sequential', 'milestones', increasing, 'strictly increasing integers >= 1', milestones.join(';'));
  const starts = [0, ...milestones];
  const built = phases.map((p, i) => {
    // A phase's length is known up to the last milestone; the last runs to the end of the run.
    const length = i < milestones.length ? milestones[i] - starts[i] : ctx.totalSteps === undefined ? undefined : Math.max(1, ctx.totalSteps - starts[i]);
    return build(p, { baseLr: ctx.baseLr, totalSteps: length });
  });
  const spec = `${formatSpec('sequential', { milestones })}+${built.map((b, i) => phaseSpec(b, i === built.length - 1)).join('+')}`;
  return composed(sequentialSchedule(ctx.baseLr, milestones, built.map(phaseOf), spec), built, true);
}

function warmup(argText: string, after: ScheduleNode | undefined, ctx: Context): Built {
  const a = resolveWarmup(parseArgs('warmup', warmupDefaults, argText));
  const rest = ctx.totalSteps === undefined ? undefined : Math.max(1, ctx.totalSteps - a.steps);
  const next = after ? build(after, { baseLr: ctx.baseLr, totalSteps: rest }) : leaf('constant', '', ctx);
  const linearArgs = { start_factor: a.start_factor, end_factor: 1, total_iters: a.steps };
  const linear = scheduleKinds.linear;
  const ramp = { schedule: linear.create(ctx.baseLr, linearArgs), torch: linear.torch?.(linearArgs) as TorchConstructor };
  const phases = [ramp, phaseOf(next)];
  const spec = `${formatSpec('warmup', a)}+${next.schedule.spec}`;
  return composed(sequentialSchedule(ctx.baseLr, [a.steps], phases, spec), [next], true);
}

/** Builds a schedule from a spec's syntax: every name and value checked, the canonical spec composed. */
export function build(node: ScheduleNode, ctx: Context): Built {
  switch (node.type) {
    case 'leaf':
      return leaf(node.name, node.args, ctx);
    case 'chain':
      return chain(node.members, ctx);
    case 'warmup':
      return warmup(node.args, node.after, ctx);
    case 'sequential':
      return sequential(node.args, node.phases, ctx);
  }
}
