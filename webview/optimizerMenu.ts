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

/** A built-in's tooltip: what it does and what it follows (torch class or paper). */
export function optimizerTitle(o: Pick<OptimizerOption, 'summary' | 'reference'>): string {
  return `${o.summary} — ${o.reference}`;
}

/** The built-ins by family, in the catalogue's order (a family's first member places it). */
function familyGroups(optimizers: readonly OptimizerOption[]): Map<string, OptimizerOption[]> {
  const groups = new Map<string, OptimizerOption[]>();
  for (const o of optimizers) groups.set(o.family, [...(groups.get(o.family) ?? []), o]);
  return groups;
}

/**
 * Fills the <select>: one group per family of built-ins (each option's tooltip names its reference), then one
 * group of workspace rules; an unknown current value is kept, first. The select's own tooltip follows the choice.
 */
export function fillOptimizerMenu(select: HTMLSelectElement, current: string, optimizers: readonly OptimizerOption[], rules: readonly RuleOption[]): void {
  const known = optimizers.some((o) => o.id === current) || rules.some((r) => ruleValue(r) === current);
  if (!known) {
    const { id, rule } = optimizerOfValue(current);
    select.append(el('option', { value: current, selected: true, text: rule ? `${id} (rule, not found now)` : id }));
  }
  for (const [family, members] of familyGroups(optimizers)) {
    const group = el('optgroup', { label: family });
    for (const o of members) group.append(el('option', { value: o.id, selected: o.id === current, text: o.id, title: optimizerTitle(o), 'data-family': family }));
    select.append(group);
  }
  if (rules.length > 0) {
    const group = el('optgroup', { label: 'workspace rules' });
    for (const r of rules) {
      const value = ruleValue(r);
      group.append(el('option', {
        value, selected: value === current, text: `${r.name} (${r.label})`,
        title: r.summary ?? `optimizer rule ${r.name} in ${r.label}`, 'data-rule': r.name,
      }));
    }
    select.append(group);
  }
  select.title = select.selectedOptions[0]?.title ?? '';
}
