/**
 * The optimizer rules a user's module exports (src/core/rules/optimizerRule.ts):
 * every export shaped like a rule, with the line it is declared on; the one a
 * run asked for; and the summaries the `list` answer carries.
 */
import type { OptimizerRule } from '../core/rules/optimizerRule';
import { looksLikeRule, validateRule } from '../core/rules/ruleFactory';
import type { RuleInfo } from '../protocol/runner';
import { declarationLine } from './objectives';
import { RunFailure } from './runFailure';

export interface RuleEntry {
  readonly name: string;
  /** The export: shaped like a rule (init and update functions), not yet validated. */
  readonly rule: OptimizerRule;
  /** 1-based line of the declaration, when found in the source. */
  readonly line?: number;
}

/** `export default { ... }` has no name to search for: its line is that of `export default`. */
function ruleLine(source: string | undefined, name: string): number | undefined {
  if (name !== 'default') return declarationLine(source, name);
  const i = source?.split('\n').findIndex((l) => /^\s*export\s+default\b/.test(l)) ?? -1;
  return i >= 0 ? i + 1 : undefined;
}

export function discoverRules(exports: Record<string, unknown>, source?: string): RuleEntry[] {
  return Object.keys(exports)
    .filter((name) => looksLikeRule(exports[name]))
    .map((name) => ({ name, rule: exports[name] as OptimizerRule, line: ruleLine(source, name) }))
    // Bundles list exports alphabetically; the file's order is what the user wrote.
    .sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
}

/** The rule to run: the named one, or ('' ) the file's only one; otherwise a message listing the rules. */
export function pickRule(exports: Record<string, unknown>, entries: readonly RuleEntry[], file: string, name: string): RuleEntry {
  const fail = (message: string): never => {
    throw new RunFailure({ kind: 'optimizer-rule', message, file });
  };
  const names = entries.map((e) => e.name).join(', ');
  if (name !== '') {
    const found = entries.find((e) => e.name === name);
    if (found) return found;
    if (name in exports) fail(`export '${name}' of ${file} is not an optimizer rule: a rule is an object with init and update functions`);
    return fail(`no optimizer rule named '${name}' in ${file}; rules: ${names || '(none)'}`);
  }
  if (entries.length === 1) return entries[0];
  if (entries.length === 0) return fail(`no optimizer rule in ${file}: a rule is an exported object with defaults, init and update (see OptimizerRule)`);
  return fail(`${file} exports ${entries.length} optimizer rules (${names}); choose one with ${file}#NAME`);
}

type HpDefault = RuleInfo['defaults'][string];

/** The defaults that can cross the process boundary (numbers, flags, lists of numbers); validateRule names the rest. */
function plainDefaults(defaults: unknown): Record<string, HpDefault> {
  if (typeof defaults !== 'object' || defaults === null || Array.isArray(defaults)) return {};
  const out: Record<string, HpDefault> = {};
  for (const [name, v] of Object.entries(defaults as Record<string, unknown>)) {
    if (typeof v === 'number' || typeof v === 'boolean') out[name] = v;
    else if (Array.isArray(v) && v.every((x) => typeof x === 'number')) out[name] = [...(v as number[])];
  }
  return out;
}

/** A summary per rule for `list`: its defaults, scope and, for an unusable export, the problem. */
export function describeRules(entries: readonly RuleEntry[]): RuleInfo[] {
  return entries.map(({ name, rule, line }) => {
    let problem: string | undefined;
    try {
      validateRule(name, rule);
    } catch (e) {
      problem = (e as Error).message;
    }
    // Not validated yet: read the optional fields as what they may be.
    const { defaults, summary, scope } = rule as { defaults?: unknown; summary?: unknown; scope?: unknown };
    return {
      name,
      ...(line ? { line } : {}),
      ...(typeof summary === 'string' ? { summary } : {}),
      defaults: plainDefaults(defaults),
      scope: scope === 'model' ? 'model' : 'tensor',
      ...(problem ? { problem } : {}),
    };
  });
}
