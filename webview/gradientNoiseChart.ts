/**
 * The gradient-noise card (issue 21, stochastic objectives): each run's B_simple = tr(Σ)/|g|² (McCandlish et al.
 * 2018, src/core/gradientNoise.ts) at its curvature samples with its jackknife standard error as a band, and the
 * run's batch size B beside it as a dashed line, so B/B_simple (the gradient SNR at B) reads off the gap. A sample
 * whose |g|² is not resolved above the noise (noiseScale null) is not drawn; the note says so, with the SNR.
 */
import type { GradientNoiseSample } from '../src/protocol/diagnostics';
import type { RunSnapshot } from '../src/protocol/webview';
import { formatNumber } from './charts/buildSeries';
import type { ChartSpec } from './charts/seriesChart';
import { curvatureSeries, type Series } from './charts/series';
import { type Theme, withAlpha } from './theme';

const noiseOf = (c: RunSnapshot['curvature'][number]): GradientNoiseSample | undefined => c.gradientNoise;

/** Whether a run has any gradient-noise sample (the card shows only then). */
export const hasGradientNoise = (run: RunSnapshot): boolean => run.curvature.some((c) => c.gradientNoise !== undefined);

/** A value on the log axis: positive and finite, else a gap. */
const onLog = (v: number | null | undefined): number => (v !== null && v !== undefined && v > 0 && Number.isFinite(v) ? v : NaN);

/** B_simple ± its standard error (band), B_simple, and the batch size. */
export function noiseSeriesOf(run: RunSnapshot, colour: string, label: string): Series[] {
  const head = (name: string, text: string, style: Series['style']) => ({ key: `${run.runId}:noise-${name}`, runId: run.runId, ghost: false, label: `${text} ${label}`, style });
  const band = { color: withAlpha(colour, 0.18), width: 0, pointRadius: 0 };
  const at = (c: RunSnapshot['curvature'][number], value: (n: GradientNoiseSample) => number | null) => {
    const n = noiseOf(c);
    return n ? { x: c.step, y: onLog(value(n)) } : null;
  };
  const low = (n: GradientNoiseSample) => (n.noiseScale === null || n.noiseScaleStdErr === null ? null : Math.max(n.noiseScale - n.noiseScaleStdErr, n.noiseScale * 1e-3));
  const high = (n: GradientNoiseSample) => (n.noiseScale === null || n.noiseScaleStdErr === null ? null : n.noiseScale + n.noiseScaleStdErr);
  return [
    curvatureSeries(head('low', 'B_simple − std. error', band), run, (c) => at(c, low)),
    curvatureSeries(head('high', 'B_simple + std. error', { ...band, fillPrevious: true }), run, (c) => at(c, high)),
    curvatureSeries(head('scale', 'B_simple', { color: colour, width: 1.75, pointRadius: 2 }), run, (c) => at(c, (n) => n.noiseScale)),
    curvatureSeries(head('batch', 'batch size', { color: colour, width: 1, pointRadius: 0, dash: [6, 4] }), run, (c) => at(c, (n) => n.batchSize)),
  ];
}

export function noiseSpec(theme: Theme): ChartSpec {
  return { x: { type: 'linear', title: 'step' }, y: { type: 'logarithmic', title: 'examples (B_simple, batch size)' }, bg: theme.bg };
}

/** One line per run: the latest sample's B_simple ± error and SNR ± error at the batch size, or why there is none. */
export function noiseNotes(runs: Iterable<RunSnapshot>, label: (run: RunSnapshot) => string): string[] {
  const notes: string[] = [];
  for (const run of runs) {
    const sample = [...run.curvature].reverse().find((c) => c.gradientNoise !== undefined);
    const n = sample?.gradientNoise;
    if (!sample || !n) continue;
    const scale = n.noiseScale === null
      ? 'B_simple not resolved (|g|² not above the noise)'
      : `B_simple = ${formatNumber(n.noiseScale)} ± ${formatNumber(n.noiseScaleStdErr ?? NaN)}`;
    const snr = n.snr === null ? '' : `, SNR at B = ${n.batchSize}: ${formatNumber(n.snr)} ± ${formatNumber(n.snrStdErr ?? NaN)}`;
    notes.push(`${label(run)} at step ${sample.step}: ${scale}${snr} (jackknife over ${n.batches} batches of ${n.batchSize})`);
  }
  return notes;
}
