/**
 * The step-size gauge chart (Cockpit's α, src/core/stepSizeGauge.ts): each run's α per update at the update's
 * step, −1 no move · 0 the quadratic fit's minimum · 1 the valley's other side, with a running mean. An α
 * whose loss change departs from the slopes' quadratic prediction by more than MISFIT_MAX of it is not drawn:
 * the quadratic it rests on does not describe the step (or the change is below the loss's float32 resolution). Values beyond ±GAUGE_LIMIT are drawn at the edge and counted in the note.
 */
import type { RunSnapshot } from '../src/protocol/webview';
import { formatNumber } from './charts/buildSeries';
import type { ChartSpec } from './charts/seriesChart';
import { stepSeries, type Series } from './charts/series';
import { type Theme, withAlpha } from './theme';

export const GAUGE_LIMIT = 1.5;
/** Fits whose relative residual exceeds this are left out. */
export const MISFIT_MAX = 0.5;
/** The running mean's window (gauged updates). */
const MEAN_WINDOW = 25;

type Gauge = NonNullable<RunSnapshot['steps'][number]['gauge']>;

/** The α a record's gauge backs, or undefined (no α, or a poor fit). */
export function backedAlpha(g: Gauge | undefined): number | undefined {
  if (!g || g.alpha === null || g.misfit === null || g.misfit > MISFIT_MAX) return undefined;
  return g.alpha;
}

const clamp = (a: number) => Math.max(-GAUGE_LIMIT, Math.min(GAUGE_LIMIT, a));

/** α points (at the update's step, one before the record that carries it) and their running mean. */
export function gaugeSeriesOf(run: RunSnapshot, colour: string, label: string): Series[] {
  const head = (name: string, text: string, style: Series['style']) => ({ key: `${run.runId}:gauge-${name}`, runId: run.runId, ghost: false, label: `${text} ${label}`, style });
  const recent: number[] = [];
  return [
    stepSeries(head('alpha', 'α', { color: withAlpha(colour, 0.55), width: 0, pointRadius: 2, showLine: false }), run, (s) => {
      const a = backedAlpha(s.gauge);
      return a === undefined ? null : { x: s.step - 1, y: clamp(a) };
    }),
    stepSeries(head('mean', 'running mean of α', { color: colour, width: 1.75, pointRadius: 0 }), run, (s) => {
      const a = backedAlpha(s.gauge);
      if (a === undefined) return null;
      recent.push(clamp(a));
      if (recent.length > MEAN_WINDOW) recent.shift();
      return { x: s.step - 1, y: recent.reduce((sum, v) => sum + v, 0) / recent.length };
    }),
  ];
}

export function gaugeSpec(theme: Theme): ChartSpec {
  return {
    x: { type: 'linear', title: 'update (step)' },
    y: { type: 'linear', title: 'α', min: -GAUGE_LIMIT, max: GAUGE_LIMIT },
    bg: theme.bg,
  };
}

/** In words: under 0 an understep, near 0 ideal, over 0 an overstep. */
export function describeAlpha(alpha: number): string {
  if (alpha < -0.25) return 'understeps';
  if (alpha > 0.25) return 'oversteps';
  return 'steps near the fit\'s minimum';
}

/** One line per run with gauged updates: the median α of the latest ones, what was left out, and why it may be noisy. */
export function gaugeNotes(runs: Iterable<RunSnapshot>, label: (run: RunSnapshot) => string): string[] {
  const notes: string[] = [];
  for (const run of runs) {
    const gauges = run.steps.map((s) => s.gauge).filter((g): g is Gauge => g !== undefined);
    if (gauges.length === 0) continue;
    const backed = gauges.map(backedAlpha).filter((a): a is number => a !== undefined);
    const poor = gauges.filter((g) => g.alpha !== null && backedAlpha(g) === undefined).length;
    const beyond = backed.filter((a) => Math.abs(a) > GAUGE_LIMIT).length;
    const latest = backed.slice(-MEAN_WINDOW).sort((a, b) => a - b);
    const parts = [latest.length > 0
      ? `median α of the last ${latest.length} updates ${formatNumber(median(latest))}: ${describeAlpha(median(latest))}`
      : 'no α the fit backs'];
    if (poor > 0) parts.push(`${poor} of ${gauges.length} not drawn (misfit above ${MISFIT_MAX})`);
    if (beyond > 0) parts.push(`${beyond} beyond ±${GAUGE_LIMIT} drawn at the edge`);
    if (gauges.some((g) => !g.sameBatch)) parts.push('ends on consecutive mini-batches: their noise is not estimated');
    notes.push(`${label(run)}: ${parts.join(', ')}`);
  }
  return notes;
}

function median(sorted: readonly number[]): number {
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
