/** What `optlab sweep --compare` prints after the tuning sweep's table: each optimizer's tuned configuration on the held-out seeds. */
import type { SweepResult, TunedComparison } from '../protocol/sweep';
import { pointText } from './sweepOutput';
import { fmt, table } from './terminalOutput';

/** The tuned values without the optimizer dimension: lr=0.01 momentum=0.9. */
function tunedText(tuned: TunedComparison['optimizers'][number]['tuned']): string {
  if (!tuned) return 'none finished';
  const { optimizer: _which, ...rest } = tuned.point;
  // Numbers shortened (a log grid's 0.0009999999999999998 reads 1.000e-3), other text as given.
  const shown = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, v.trim() !== '' && Number.isFinite(Number(v)) ? fmt(Number(v)) : v]));
  return pointText(shown);
}

/** Ranked by mean held-out final loss (unfinished last), with the budget each optimizer got. */
export function comparisonSummary(result: SweepResult, comparison: TunedComparison): string {
  const rank = (m: number | null) => (m === null ? Infinity : m);
  const rows = [...comparison.optimizers].sort((a, b) => rank(a.mean) - rank(b.mean));
  const k = comparison.seeds.length;
  const header = ['optimizer', 'tuned', 'tuning loss', `mean final loss (${k} held-out seeds)`, 'min', 'max', 'failed'];
  const cells = rows.map((o) => [o.id, tunedText(o.tuned), fmt(o.tuned?.loss ?? null), fmt(o.mean), fmt(o.min), fmt(o.max), `${o.failed}/${o.runs.length}`]);
  const b = comparison.budget;
  return [
    `tuned comparison on ${result.objective}: each optimizer tuned over the same ${b.configurations} configurations × ${b.steps} steps (${fmt(b.totalSteps)} steps, seed ${comparison.tuningSeed}), its best run again on seeds ${comparison.seeds.join(', ')}`,
    table(header, cells),
  ].join('\n');
}
