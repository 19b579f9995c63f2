/**
 * "Copy as torch.optim snippet": the same optimizer, hyperparameters and
 * schedule in PyTorch, so a run can be cross-checked in Python. Hyperparameter
 * names are already torch's; the schedule comes parsed from the runner (torch's classes, ChainedScheduler and
 * SequentialLR as they nest). The
 * optimizer's class comes from the catalogue (its torch class, or a comment
 * naming the reference implementation when torch has none).
 */
import type { ScheduleFormMessage } from '../../src/protocol/scheduleForm';
import type { OptimizerOption, RunSnapshot } from '../../src/protocol/webview';

type ScheduleForm = ScheduleFormMessage;

function py(v: number | boolean | string | number[]): string {
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `(${v.map(String).join(', ')}${v.length === 1 ? ',' : ''})`;
  return String(v);
}

/** A scheduler's keyword arguments: lists as Python lists (milestones), the rest as `py` writes them. */
const kwargs = (args: Record<string, number | boolean | string | number[]>): string =>
  Object.entries(args).map(([k, v]) => `, ${k}=${Array.isArray(v) ? `[${v.join(', ')}]` : py(v)}`).join('');

/**
 * Lines that build the scheduler for `form` into the variable `name` (nested ones into fresh names first),
 * from the form the runner parsed once (RunMeta.scheduleForm): ChainedScheduler and SequentialLR as torch has them.
 */
function schedulerLines(form: ScheduleForm, name: string, fresh: () => string): string[] {
  const lr = 'torch.optim.lr_scheduler';
  switch (form.type) {
    case 'constant':
      return [`${name} = ${lr}.LambdaLR(opt, lambda k: 1.0)`];
    case 'scheduler':
      return [`${name} = ${lr}.${form.torchClass}(opt${kwargs(form.args)})`];
    case 'function':
      return [`# ${form.name} in ${form.file}: port it to Python (a factor of the step for LambdaLR)`, `${name} = ${lr}.LambdaLR(opt, lr_lambda=${form.name})`];
    case 'chain':
    case 'sequential': {
      const parts = form.type === 'chain' ? form.members : form.phases;
      const names = parts.map(() => fresh());
      const built = parts.flatMap((p, i) => schedulerLines(p, names[i], fresh));
      const list = `[${names.join(', ')}]`;
      return [...built, form.type === 'chain' ? `${name} = ${lr}.ChainedScheduler(${list})` : `${name} = ${lr}.SequentialLR(opt, ${list}, milestones=[${form.milestones.join(', ')}])`];
    }
  }
}

/** The scheduler lines and the call that steps it each iteration (none for a constant lr). */
function scheduleOf(m: NonNullable<RunSnapshot['meta']>): { lines: string[]; step?: string } {
  const form = m.scheduleForm;
  if (!form) return m.schedule && m.schedule !== 'constant' ? { lines: [`# schedule '${m.schedule}': write the matching torch.optim.lr_scheduler here`] } : { lines: [] };
  if (form.type === 'constant') return { lines: [] };
  let k = 0;
  const lines = schedulerLines(form, 'sched', () => `s${k++}`);
  const plateau = form.type === 'scheduler' && form.torchClass === 'ReduceLROnPlateau';
  return { lines, step: plateau ? '    sched.step(loss.item())' : '    sched.step()' };
}

/** A Python class name for an id or a rule: 'myLion' -> 'MyLion', 'schedule-free-adamw' -> 'ScheduleFreeAdamw'. */
function pythonClass(name: string): string {
  return name.split(/[^\w]+/).filter(Boolean).map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('') || 'Optimizer';
}

/** The class the snippet builds and the comment saying where it comes from (none for a torch class). */
function optimizerClass(m: NonNullable<RunSnapshot['meta']>, catalogued: OptimizerOption | undefined): { cls: string; comment?: string } {
  const { id, file } = m.optimizer;
  if (file) return { cls: pythonClass(id), comment: `the optimizer rule ${id} in ${file}; write it as a torch.optim.Optimizer subclass` };
  if (catalogued?.torchClass) return { cls: catalogued.torchClass };
  if (catalogued) return { cls: pythonClass(id), comment: `torch.optim has no ${id}; the reference implementation: ${catalogued.reference}` };
  return { cls: pythonClass(id), comment: `${id} is not in this dashboard's optimizer catalogue; use the matching torch.optim class` };
}

/** The start point: every value, or for a run too large to list them (PARAMS_INLINE_MAX) its size and a pointer. */
function startLines(m: NonNullable<RunSnapshot['meta']>): string[] {
  if (m.initialParams.length === m.paramCount) return [`x = torch.tensor([${m.initialParams.join(', ')}], requires_grad=True)`];
  return [
    `# the run's ${m.paramCount} initial values are not listed (too many): build them as the objective's init does`,
    `x = torch.zeros(${m.paramCount}, requires_grad=True)`,
  ];
}

/** `optimizer`: the run's built-in optimizer as the catalogue describes it (absent for a rule, or when unknown). */
export function torchSnippet(run: RunSnapshot, optimizer?: OptimizerOption): string {
  const m = run.meta;
  if (!m) return '';
  const { cls, comment } = optimizerClass(m, optimizer);
  const hp = Object.entries(m.optimizer.hp).map(([k, v]) => `, ${k}=${py(v)}`).join('');
  const lines = [
    'import torch',
    '',
    ...(comment ? [`# ${cls}: ${comment}`] : []),
    `# ${m.objective}: write the same objective with torch ops`,
    ...startLines(m),
    `opt = ${cls}([x], lr=${m.optimizer.lr}${hp})`,
  ];
  const schedule = scheduleOf(m);
  lines.push(...schedule.lines);
  lines.push(
    `for step in range(${m.steps}):`,
    '    opt.zero_grad()',
    `    loss = ${m.objective}(x)`,
    '    loss.backward()',
    '    opt.step()',
  );
  if (schedule.step) lines.push(schedule.step);
  return lines.join('\n') + '\n';
}
