/**
 * "Copy as torch.optim snippet": the same optimizer, hyperparameters and
 * schedule in PyTorch, so a run can be cross-checked in Python. Hyperparameter
 * names are already torch's; schedule names map to lr_scheduler classes. The
 * optimizer's class comes from the catalogue (its torch class, or a comment
 * naming the reference implementation when torch has none).
 */
import type { OptimizerOption, RunSnapshot } from '../../src/protocol/webview';

const schedulerClass: Record<string, string> = {
  step: 'StepLR', multistep: 'MultiStepLR', exponential: 'ExponentialLR', cosine: 'CosineAnnealingLR',
  'cosine-restarts': 'CosineAnnealingWarmRestarts', onecycle: 'OneCycleLR', plateau: 'ReduceLROnPlateau',
};

function py(v: number | boolean | string | number[]): string {
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'string') {
    if (/^(true|false)$/i.test(v)) return v.toLowerCase() === 'true' ? 'True' : 'False';
    if (v.includes(';')) return `[${v.split(';').map((x) => x.trim()).join(', ')}]`;
    return /^-?[\d.]+(e[+-]?\d+)?$/i.test(v) ? v : JSON.stringify(v);
  }
  if (Array.isArray(v)) return `(${v.map(String).join(', ')}${v.length === 1 ? ',' : ''})`;
  return String(v);
}

/** 'cosine:T_max=500,eta_min=0' → ['cosine', [['T_max', '500'], ['eta_min', '0']]]. */
export function parseScheduleSpec(spec: string): [string, [string, string][]] {
  const colon = spec.indexOf(':');
  const name = (colon < 0 ? spec : spec.slice(0, colon)).trim();
  const args: [string, string][] = [];
  for (const part of colon < 0 ? [] : spec.slice(colon + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) args.push([part.slice(0, eq).trim(), part.slice(eq + 1).trim()]);
  }
  return [name, args];
}

/** Lines building `sched` for a spec (warmup+SPEC becomes LinearLR then SPEC in a SequentialLR). */
function schedulerLines(spec: string): string[] {
  const plus = spec.search(/\+(?=\s*[A-Za-z])/);
  if (plus >= 0) {
    const [, wargs] = parseScheduleSpec(spec.slice(0, plus));
    const get = (k: string) => wargs.find(([n]) => n === k)?.[1];
    const steps = get('steps') ?? '10';
    const main = schedulerLines(spec.slice(plus + 1).trim()).map((l) => l.replace(/^sched = /, 'main = '));
    return [
      `warm = torch.optim.lr_scheduler.LinearLR(opt, start_factor=${get('start_factor') ?? '0.1'}, total_iters=${steps})`,
      ...main,
      `sched = torch.optim.lr_scheduler.SequentialLR(opt, [warm, main], milestones=[${steps}])`,
    ];
  }
  const [name, args] = parseScheduleSpec(spec);
  const cls = schedulerClass[name];
  if (!cls) return [`# schedule '${spec}': write the matching torch.optim.lr_scheduler here`];
  return [`sched = torch.optim.lr_scheduler.${cls}(opt${args.map(([k, v]) => `, ${k}=${py(v)}`).join('')})`];
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
    `x = torch.tensor([${m.initialParams.join(', ')}], requires_grad=True)`,
    `opt = ${cls}([x], lr=${m.optimizer.lr}${hp})`,
  ];
  let stepCall = '';
  if (m.schedule && m.schedule !== 'constant') {
    lines.push(...schedulerLines(m.schedule));
    if (lines[lines.length - 1].startsWith('sched')) stepCall = m.schedule.startsWith('plateau') ? '    sched.step(loss.item())' : '    sched.step()';
  }
  lines.push(
    `for step in range(${m.steps}):`,
    '    opt.zero_grad()',
    `    loss = ${m.objective}(x)`,
    '    loss.backward()',
    '    opt.step()',
  );
  if (stepCall) lines.push(stepCall);
  return lines.join('\n') + '\n';
}
