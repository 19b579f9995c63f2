/**
 * The optimizer menu: the built-in optimizers, then the workspace's optimizer
 * rules (by file). A rule's menu value is `rule:<file>#<name>`, so the
 * controls' state stays one string and survives reloads like a built-in's id.
 */
import type { OptimizerChoice } from '../src/protocol/runner';
import type { OptimizerOption, RuleOption } from '../src/protocol/webview';
import { el } from './dom';

const RULE_PREFIX = 'rule:';

/** The menu value of a rule. */
export function ruleValue(rule: Pick<RuleOption, 'file' | 'name'>): string {
  return `${RULE_PREFIX}${rule.file}#${rule.name}`;
}

/** A menu value as the run request's optimizer: a built-in's id, or a rule's name and file. */
export function optimizerOfValue(value: string): Pick<OptimizerChoice, 'id' | 'rule'> {
  if (!value.startsWith(RULE_PREFIX)) return { id: value };
  const hash = value.lastIndexOf('#');
  return { id: value.slice(hash + 1), rule: { file: value.slice(RULE_PREFIX.length, hash) } };
}

/** The default lr of a menu value (a built-in's torch default, a rule's `defaults.lr` when known). */
export function defaultLrOf(value: string, optimizers: readonly OptimizerOption[], rules: readonly RuleOption[]): number | undefined {
  if (!value.startsWith(RULE_PREFIX)) return optimizers.find((o) => o.id === value)?.defaultLr;
  return rules.find((r) => ruleValue(r) === value)?.defaultLr;
}

/** Fills the <select>: built-ins, then one group of workspace rules; an unknown current value is kept, first. */
export function fillOptimizerMenu(select: HTMLSelectElement, current: string, optimizers: readonly OptimizerOption[], rules: readonly RuleOption[]): void {
  const ids = optimizers.length > 0 ? optimizers.map((o) => o.id) : [];
  const known = ids.includes(current) || rules.some((r) => ruleValue(r) === current);
  if (!known) {
    const { id, rule } = optimizerOfValue(current);
    select.append(el('option', { value: current, selected: true, text: rule ? `${id} (rule, not found now)` : id }));
  }
  const builtIn = rules.length > 0 ? el('optgroup', { label: 'built-in' }) : select;
  for (const id of ids) builtIn.append(el('option', { value: id, selected: id === current, text: id }));
  if (rules.length === 0) return;
  const group = el('optgroup', { label: 'workspace rules' });
  for (const r of rules) {
    const value = ruleValue(r);
    group.append(el('option', {
      value, selected: value === current, text: `${r.name} (${r.label})`,
      title: r.summary ?? `optimizer rule ${r.name} in ${r.label}`, 'data-rule': r.name,
    }));
  }
  select.append(builtIn, group);
}
