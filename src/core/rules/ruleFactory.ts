/**
 * An OptimizerRule (./optimizerRule.ts) as an OptimizerFactory: its
 * hyperparameters are derived from `defaults` (same names, types and error
 * messages as the built-ins'), and `create` gives the optimizer on tensors
 * plus, where the rule compiles, its plain-array form.
 */
import { HyperparameterError, resolveHyperparams, type HpRecord, type HpSpec, type HpValue } from '../hyperparams';
import type { OptimizerFactory, ParamShapes } from '../optimizer';
import { compileRule } from './compileRule';
import type { OptimizerRule } from './optimizerRule';
import { ruleOnTensors } from './ruleOnTensors';

/** Where a rule comes from: shown in lists and in error messages. */
export interface RuleOrigin {
  /** The workspace file (absent for built-ins). */
  readonly file?: string;
  /** 1-based line of the rule's declaration in `file`. */
  readonly line?: number;
}

/** A thrown value that is not a valid rule: the message names what is missing. */
export class InvalidRuleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRuleError';
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** True for anything shaped like a rule (an object with `init` and `update` functions): what discovery exports. */
export function looksLikeRule(value: unknown): value is OptimizerRule {
  return isRecord(value) && typeof value.init === 'function' && typeof value.update === 'function';
}

/** Checks what TypeScript cannot (user files are not type-checked): throws InvalidRuleError naming the problem. */
export function validateRule(id: string, value: unknown): OptimizerRule {
  if (!looksLikeRule(value)) throw new InvalidRuleError(`optimizer rule '${id}' must be an object with init and update functions`);
  const { defaults, scope } = value as { defaults?: unknown; scope?: unknown };
  if (!isRecord(defaults)) throw new InvalidRuleError(`optimizer rule '${id}' needs a defaults object ({ lr: 1e-3, ... })`);
  if (typeof defaults.lr !== 'number' || !(defaults.lr >= 0)) {
    throw new InvalidRuleError(`optimizer rule '${id}': defaults.lr must be a number >= 0, got ${JSON.stringify(defaults.lr)}`);
  }
  for (const [name, v] of Object.entries(defaults)) {
    const ok = typeof v === 'number' || typeof v === 'boolean' || (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number'));
    if (!ok) throw new InvalidRuleError(`optimizer rule '${id}': defaults.${name} must be a number, a boolean or a list of numbers, got ${JSON.stringify(v)}`);
  }
  if (scope !== undefined && scope !== 'tensor' && scope !== 'model') {
    throw new InvalidRuleError(`optimizer rule '${id}': scope must be 'tensor' or 'model', got ${JSON.stringify(scope)}`);
  }
  return value;
}

type Check = (value: HpValue, all: HpRecord) => string | undefined;

/** The rule's hyperparameters except lr (the run's learning rate, scheduled), as specs with the rule's docs and checks. */
export function ruleHyperparamSpecs(rule: Pick<OptimizerRule, 'defaults' | 'docs' | 'checks'>): HpSpec[] {
  const docs = (rule.docs ?? {}) as Record<string, string | undefined>;
  const checks = (rule.checks ?? {}) as Record<string, Check | undefined>;
  return Object.entries(rule.defaults)
    .filter(([name]) => name !== 'lr')
    .map(([name, value]): HpSpec => {
      const common = { name, doc: docs[name] ?? '', ...(checks[name] ? { check: checks[name] } : {}) };
      if (typeof value === 'boolean') return { ...common, kind: 'boolean', default: value };
      if (Array.isArray(value)) return { ...common, kind: value.length === 2 ? 'pair' : 'tuple', length: value.length, default: [...value] };
      return { ...common, kind: 'number', default: value };
    });
}

/** The factory of a rule under `id` (a built-in's id, or a user rule's export name). */
export function ruleFactory(id: string, rule: OptimizerRule, origin: RuleOrigin = {}): OptimizerFactory {
  validateRule(id, rule);
  const hyperparams = ruleHyperparamSpecs(rule);
  return {
    id,
    summary: rule.summary ?? (origin.file ? `optimizer rule from ${origin.file}` : id),
    torchName: rule.reference?.startsWith('torch.optim.') ? rule.reference : '(none: a rule written in Optimizer Lab)',
    reference: rule.reference ?? (origin.file ? `optimizer rule from ${origin.file}` : 'an optimizer rule'),
    family: rule.family ?? 'custom',
    defaultLr: rule.defaults.lr,
    hyperparams,
    create(given: HpRecord, shapes?: ParamShapes) {
      if ('lr' in given) throw new HyperparameterError(`set the learning rate of '${id}' with --lr (or the dashboard's lr), not as a hyperparameter`);
      const hp = resolveHyperparams(id, hyperparams, given);
      const onTensors = ruleOnTensors(id, rule, hp, shapes);
      if (rule.scope === 'model') return { ...onTensors, arraysUnavailable: `optimizer rule '${id}' has model scope (closures), which runs on tensors` };
      const compiled = compileRule(id, rule, hp, shapes);
      return 'arrays' in compiled ? { ...onTensors, arrays: compiled.arrays } : { ...onTensors, arraysUnavailable: compiled.reason };
    },
  };
}
