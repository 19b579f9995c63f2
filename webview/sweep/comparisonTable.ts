/**
 * A tuned comparison (`optlab sweep --compare`, src/runner/tunedComparison.ts) on the Sweep card: the budget every
 * optimizer's tuning got, and per optimizer (best mean first) its tuned lr and other values, its tuning loss and
 * the mean, min and max final loss over the held-out seeds. The sensitivity curves above are the tunings, one per optimizer.
 */
import type { SweepResult, TunedComparison } from '../../src/protocol/sweep';
import { formatNumber } from '../charts/buildSeries';
import { el } from '../dom';

const loss = (l: number | null | undefined): string => (l === null || l === undefined ? '–' : formatNumber(l));

/** The tuned values besides the optimizer (numbers shortened): "lr=0.01 momentum=0.9". */
function tunedText(tuned: TunedComparison['optimizers'][number]['tuned']): string {
  if (!tuned) return 'none finished';
  return Object.entries(tuned.point).filter(([k]) => k !== 'optimizer')
    .map(([k, v]) => `${k}=${v.trim() !== '' && Number.isFinite(Number(v)) ? formatNumber(Number(v)) : v}`).join(' ');
}

/** In words: what each optimizer got and what the table compares. */
export function budgetText(result: SweepResult, comparison: TunedComparison): string {
  const b = comparison.budget;
  const names = result.space.filter((d) => d.name !== 'optimizer').map((d) => d.name).join(' × ');
  return `Tuned comparison: each optimizer got the same budget, ${b.configurations} configurations of ${names} × ${b.steps} steps (${formatNumber(b.totalSteps)} steps, one run each on seed ${comparison.tuningSeed}); its best configuration then ran on ${comparison.seeds.length} held-out seeds (${comparison.seeds.join(', ')}), compared by their mean final loss.`;
}

/** True when the tuned lr is the smallest or largest lr its tuning tried: the best may lie beyond the grid. */
export function atGridEdge(result: SweepResult, id: string, lr: number): boolean {
  const lrs = result.runs.filter((r) => r.point.optimizer === id).map((r) => r.lr);
  return lrs.length > 1 && (lr === Math.min(...lrs) || lr === Math.max(...lrs));
}

export function comparisonTable(result: SweepResult, comparison: TunedComparison): HTMLElement {
  const rank = (m: number | null) => (m === null ? Infinity : m);
  const rows = [...comparison.optimizers].sort((a, b) => rank(a.mean) - rank(b.mean));
  const k = comparison.seeds.length;
  const header = ['optimizer', 'tuned', 'tuning loss', `mean final loss (${k} seeds)`, 'min – max', 'failed'];
  const body = rows.map((o) => el('tr', { 'data-optimizer': o.id },
    el('td', { text: o.file ? `${o.id} (${o.file.split(/[\\/]/).pop()})` : o.id }),
    el('td', { text: tunedText(o.tuned), 'data-field': 'tuned' },
      ...(o.tuned && atGridEdge(result, o.id, o.tuned.lr) ? [el('span', { class: 'muted', text: ' ⚠ grid edge', title: 'The tuned lr is the grid\'s smallest or largest: the best may lie beyond it (widen --grid lr=…)' })] : [])),
    el('td', { class: 'num', text: loss(o.tuned?.loss) }),
    el('td', { class: 'num', text: loss(o.mean), 'data-field': 'mean' }),
    el('td', { class: 'num', text: o.min === null ? '–' : `${loss(o.min)} – ${loss(o.max)}` }),
    el('td', { class: 'num', text: `${o.failed}/${o.runs.length}` })));
  return el('div', { class: 'sweep-comparison' },
    el('p', { class: 'caption', text: budgetText(result, comparison) }),
    el('table', { class: 'runs' }, el('thead', {}, el('tr', {}, ...header.map((h) => el('th', { text: h })))), el('tbody', {}, ...body)));
}
