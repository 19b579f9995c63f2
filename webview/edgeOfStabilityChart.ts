/**
 * The "edge of stability" chart (Cohen et al. 2021; 2022): each run's sharpness (λmax of the minimised function,
 * or λmax(P⁻¹H) for an adaptive optimizer) with its residual band, and the limit its optimizer and lr set, on one
 * log axis; a marker where the sharpness first reaches the limit. Only samples with a limit are drawn.
 */
import type { CurvatureSample } from '../src/protocol/runner';
import { edgeOfStabilityState } from '../src/protocol/diagnostics';
import type { RunSnapshot } from '../src/protocol/webview';
import { formatNumber, runLabel, type SeriesContext } from './charts/buildSeries';
import type { Marker } from './charts/seriesChart';
import { curvatureSeries, positive, type Series } from './charts/series';
import { withAlpha } from './theme';

const limited = (c: CurvatureSample): c is CurvatureSample & { sharpness: number; sharpnessLimit: number } =>
  c.sharpness !== undefined && c.sharpnessLimit !== undefined && c.sharpnessLimit !== null && c.sharpnessLimit > 0;

export function edgeSeriesOf(run: RunSnapshot, ctx: SeriesContext): Series[] {
  const label = runLabel(run, ctx);
  const head = (name: string, text: string, style: Series['style']) => ({ key: `${run.runId}:edge-${name}`, runId: run.runId, ghost: false, label: `${text} ${label}`, style });
  const band = { color: withAlpha(ctx.colour, 0.18), width: 0, pointRadius: 0 };
  const at = (c: CurvatureSample, y: (c: CurvatureSample & { sharpness: number; sharpnessLimit: number }) => number) =>
    (limited(c) ? { x: c.step, y: positive(y(c)) } : null);
  return [
    curvatureSeries(head('low', 'sharpness − residual', band), run, (c) => at(c, (s) => Math.max(s.sharpness - (s.sharpnessResidual ?? 0), s.sharpness * 1e-3))),
    curvatureSeries(head('high', 'sharpness + residual', { ...band, fillPrevious: true }), run, (c) => at(c, (s) => s.sharpness + (s.sharpnessResidual ?? 0))),
    curvatureSeries(head('sharpness', 'sharpness', { color: ctx.colour, width: 1.5, pointRadius: 2 }), run, (c) => at(c, (s) => s.sharpness)),
    curvatureSeries(head('limit', 'limit', { color: ctx.colour, width: 1.5, dash: [6, 3], pointRadius: 0 }), run, (c) => at(c, (s) => s.sharpnessLimit)),
  ];
}

/** A marker at each run's first sample at or past its limit (after one below it, or at the first sample). */
export function edgeCrossings(runs: Iterable<RunSnapshot>, colour: (run: RunSnapshot) => string): Marker[] {
  const markers: Marker[] = [];
  for (const run of runs) {
    const reached = run.curvature.find((c) => edgeOfStabilityState(c) === 'at' || edgeOfStabilityState(c) === 'past');
    if (reached) markers.push({ x: reached.step, color: colour(run), label: 'edge' });
  }
  return markers;
}

/** One line per run: where its last sample sits against the limit, with the figures behind it, or why there is no limit. */
export function edgeNotes(runs: Iterable<RunSnapshot>, label: (run: RunSnapshot) => string): string[] {
  const notes: string[] = [];
  for (const run of runs) {
    const last = run.curvature[run.curvature.length - 1];
    if (!last || last.sharpnessLimit === undefined) continue;
    // What the diagnostics cost so far (the presets keep it within their share of the run's time).
    const cost = last.costShare !== undefined ? `; diagnostics took ${(100 * last.costShare).toFixed(1)} % of the run so far` : '';
    if (!limited(last)) {
      notes.push(`${label(run)}: no limit${last.sharpnessLimitNote ? ` (${last.sharpnessLimitNote})` : ''}${cost}`);
      continue;
    }
    const state = edgeOfStabilityState(last);
    const what = last.preconditionedLambdaMax !== undefined ? 'λmax(P⁻¹H)' : 'λmax';
    const words = state === 'at' ? 'at the edge of stability' : state === 'past' ? 'past the edge of stability' : 'below the edge';
    notes.push(`${label(run)} at step ${last.step}: ${words}, ${what} = ${formatNumber(last.sharpness)} ± ${formatNumber(last.sharpnessResidual ?? 0)} vs limit ${formatNumber(last.sharpnessLimit)}${cost}`);
  }
  return notes;
}
