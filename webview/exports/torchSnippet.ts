/**
 * "Copy as torch.optim snippet": the same optimizer, hyperparameters and
 * schedule in PyTorch, so a run can be cross-checked in Python. Hyperparameter
 * names are already torch's; schedule names map to lr_scheduler classes.
 */
import type { RunSnapshot } from '../../src/protocol/webview';

const torchClass: Record<string, string> = {
  sgd: 'SGD', adam: 'Adam', adamw: 'AdamW', adagrad: 'Adagrad', adadelta: 'Adadelta', rmsprop: 'RMSprop',
  nadam: 'NAdam', radam: 'RAdam', adamax: 'Adamax', asgd: 'ASGD', rprop: 'Rprop', lbfgs: 'LBFGS',
};

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

/** A Python class name for a rule: 'myLion' -> 'MyLion'. */
function ruleClass(name: string): string {
  const ident = name.replace(/[^\w]/g, '_');
  return ident.charAt(0).toUpperCase() + ident.slice(1);
}

/** `torchName` from the host (e.g. 'torch.optim.Adam') wins over the built-in table. */
export function torchSnippet(run: RunSnapshot, torchName?: string): string {
  const m = run.meta;
  if (!m) return '';
  const rule = m.optimizer.file;
  const cls = rule ? ruleClass(m.optimizer.id) : torchName ?? `torch.optim.${torchClass[m.optimizer.id] ?? m.optimizer.id}`;
  const hp = Object.entries(m.optimizer.hp).map(([k, v]) => `, ${k}=${py(v)}`).join('');
  const lines = [
    'import torch',
    '',
    ...(rule ? [`# ${cls}: the optimizer rule ${m.optimizer.id} in ${rule}; write it as a torch.optim.Optimizer subclass`] : []),
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
