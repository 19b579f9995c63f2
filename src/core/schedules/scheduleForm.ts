import { milestonesOf } from './buildSchedule';
import { parseArgs, type ArgRecord } from './scheduleArgs';
import { scheduleKinds } from './scheduleKinds';
import { readScheduleSyntax, type ScheduleNode } from './scheduleSyntax';
import { resolveWarmup, warmupDefaults } from './warmupSchedule';

/**
 * A schedule as torch.optim.lr_scheduler builds it, from the spec parsed once here: what the dashboard's
 * copy-as-torch snippet renders (it never parses the grammar itself). A warmup is torch's LinearLR then the
 * rest in a SequentialLR, as warmupSchedule.ts computes it; 'constant' is no scheduler.
 */
export type ScheduleForm =
  | { readonly type: 'constant' }
  | { readonly type: 'scheduler'; readonly torchClass: string; readonly args: ArgRecord }
  | { readonly type: 'chain'; readonly members: ScheduleForm[] }
  | { readonly type: 'sequential'; readonly milestones: number[]; readonly phases: ScheduleForm[] };

/** The torch form of a spec (a canonical one: Schedule.spec); throws a ScheduleError as parseSchedule does. */
export function scheduleForm(spec: string): ScheduleForm {
  return formOf(readScheduleSyntax(spec.trim(), (args) => milestonesOf(args).length));
}

function formOf(node: ScheduleNode): ScheduleForm {
  switch (node.type) {
    case 'leaf': {
      const kind = scheduleKinds[node.name];
      if (!kind?.torchClass) return { type: 'constant' };
      return { type: 'scheduler', torchClass: kind.torchClass, args: parseArgs(node.name, kind.defaults, node.args) as ArgRecord };
    }
    case 'chain':
      return { type: 'chain', members: node.members.map(formOf) };
    case 'warmup': {
      const a = resolveWarmup(parseArgs('warmup', warmupDefaults, node.args));
      const ramp: ScheduleForm = { type: 'scheduler', torchClass: 'LinearLR', args: { start_factor: a.start_factor, end_factor: 1, total_iters: a.steps } };
      return { type: 'sequential', milestones: [a.steps], phases: [ramp, node.after ? formOf(node.after) : { type: 'constant' }] };
    }
    case 'sequential':
      return { type: 'sequential', milestones: milestonesOf(node.args), phases: node.phases.map(formOf) };
  }
}
