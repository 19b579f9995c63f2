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
  cosine_warm_restarts: 'CosineAnnealingWarmRestarts', linear: 'LinearLR', constantlr: 'ConstantLR', polynomial: 'PolynomialLR',
  onecycle: 'OneCycleLR', cyclic: 'CyclicLR', plateau: 'ReduceLROnPlateau',
};

function py(v: number | boolean | string | number[]): string {
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'string') return /^-?[\d.e+-]+$/i.test(v) ? v : JSON.stringify(v);
  if (Array.isArray(v)) return `(${v.map(String).join(', ')}${v.length === 1 ? ',' : ''})`;
  return String(v);
}

/** 'cosine:T_max=500,eta_min=0' → ['cosine', [['T_max', '500'], ['eta_min', '0']]] (lists in brackets stay whole). */
export function parseScheduleSpec(spec: string): [string, [string, string][]] {
  const [name, rest = ''] = spec.split(/:(.*)/s);
  const args: [string, string][] = [];
  for (const part of rest.split(/,(?![^[]*\])/)) {
    const eq = part.indexOf('=');
    if (eq > 0) args.push([part.slice(0, eq).trim(), part.slice(eq + 1).trim()]);
  }
  return [name.trim(), args];
}

/** `torchName` from the host (e.g. 'torch.optim.Adam') wins over the built-in table. */
export function torchSnippet(run: RunSnapshot, torchName?: string): string {
  const m = run.meta;
  if (!m) return '';
  const cls = torchName ?? `torch.optim.${torchClass[m.optimizer.id] ?? m.optimizer.id}`;
  const hp = Object.entries(m.optimizer.hp).map(([k, v]) => `, ${k}=${py(v)}`).join('');
  const lines = [
    'import torch',
    '',
    `# ${m.objective}: write the same objective with torch ops`,
    `x = torch.tensor([${m.initialParams.join(', ')}], requires_grad=True)`,
    `opt = ${cls}([x], lr=${m.optimizer.lr}${hp})`,
  ];
  let stepCall = '';
  if (m.schedule && m.schedule !== 'constant') {
    const [name, args] = parseScheduleSpec(m.schedule);
    const sched = schedulerClass[name];
    const argText = args.map(([k, v]) => `, ${k}=${v.startsWith('[') ? v : py(v)}`).join('');
    lines.push(sched ? `sched = torch.optim.lr_scheduler.${sched}(opt${argText})` : `# schedule '${m.schedule}': no torch equivalent mapped`);
    if (sched) stepCall = name === 'plateau' ? '    sched.step(loss.item())' : '    sched.step()';
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
