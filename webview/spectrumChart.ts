/**
 * The "spectral density" chart: each run's latest stochastic-Lanczos-quadrature estimate (nodes and weights,
 * src/core/curvature/spectralDensity.ts) smoothed by a Gaussian kernel, on a symmetric-log eigenvalue axis
 * t = sign(λ)·log10(1 + |λ|/c) so negative eigenvalues and several decades show at once, or, with the card's
 * eigenvalue-range toggle, only the bulk on a linear λ axis (./spectrumRange.ts). The note gives the trace with its
 * standard error and how many probes the estimate rests on.
 */
import type { CurvatureSample } from '../src/protocol/runner';
import type { RunSnapshot } from '../src/protocol/webview';
import { formatNumber, runLabel, type SeriesContext } from './charts/buildSeries';
import type { Point, Series } from './charts/series';
import type { AxisSpec } from './charts/seriesChart';
import { bulkWindow, eigenRange, latestDensity as withDensity } from './spectrumRange';

/** Points of each smoothed curve. */
const GRID = 200;

/** On the log density axis the curve stops this many decades below its peak (the Gaussian tails reach 1e-300). */
export const LOG_DENSITY_DECADES = 5;

/** The density axis: linear, or logarithmic where the tails and small groups of outlying eigenvalues show (PyHessian's plot). */
let densityLog = false;
export const densityIsLog = (): boolean => densityLog;
export function setDensityLog(log: boolean): void {
  densityLog = log;
}

/** The smoothed curve as drawn on the current density axis: on log, values far below the peak are gaps. */
export function onDensityAxis(points: readonly Point[], log: boolean): Point[] {
  if (!log) return [...points];
  const floor = Math.max(...points.map((p) => p.y)) * 10 ** -LOG_DENSITY_DECADES;
  return points.map((p) => ({ x: p.x, y: p.y >= floor && p.y > 0 ? p.y : NaN }));
}

/** The linear threshold c of the symmetric-log axis: a thousandth of the largest |λ| any run's density has (1 without one). */
export function symlogScale(runs: Iterable<RunSnapshot>): number {
  let top = 0;
  for (const run of runs) for (const x of withDensity(run)?.density?.nodes ?? []) top = Math.max(top, Math.abs(x));
  return top > 0 && Number.isFinite(top) ? top * 1e-3 : 1;
}

export const toSymlog = (x: number, c: number): number => Math.sign(x) * Math.log10(1 + Math.abs(x) / c);
export const fromSymlog = (t: number, c: number): number => Math.sign(t) * c * (10 ** Math.abs(t) - 1);

/** The eigenvalue a tick of the symmetric-log axis stands for. */
export const symlogTick = (scale: () => number) => (t: number): string => formatNumber(fromSymlog(t, scale()));

/** The spectrum chart's axes for the runs shown, on the current eigenvalue range and density axis. */
export function spectrumAxes(shown: () => readonly RunSnapshot[]): { x: AxisSpec; y: AxisSpec } {
  const y: AxisSpec = densityIsLog() ? { type: 'logarithmic', title: 'density (log)' } : { type: 'linear', title: 'density', min: 0 };
  if (eigenRange() === 'bulk') return { x: { type: 'linear', title: 'eigenvalue (bulk, linear)' }, y };
  return { x: { type: 'linear', title: 'eigenvalue (symmetric log)', tickLabel: symlogTick(() => symlogScale(shown())) }, y };
}

/**
 * The latest density as a smoothed curve (area 1), rewritten when a new sample, scale, window or axis arrives: over
 * t on the symmetric-log axis, or over λ itself across the bulk window of the runs shown.
 */
export function densitySeriesOf(run: RunSnapshot, ctx: SeriesContext, shown: () => readonly RunSnapshot[]): Series {
  const points: Point[] = [];
  let drawn = '';
  let drawnSample: CurvatureSample | undefined;
  return {
    key: `${run.runId}:density`, runId: run.runId, ghost: false, label: `density ${runLabel(run, ctx)}`,
    style: { color: ctx.colour, width: 1.5, pointRadius: 0 }, points, rewrites: true,
    pull() {
      const sample = withDensity(run);
      if (!sample?.density) return false;
      const window = eigenRange() === 'bulk' ? bulkWindow(shown()) : undefined;
      const c = window ? NaN : symlogScale(shown());
      const key = `${c} ${window?.join(' ')} ${densityIsLog()}`;
      if (sample === drawnSample && key === drawn) return false;
      [drawnSample, drawn] = [sample, key];
      const { nodes, weights } = sample.density;
      const curve = window ? smoothed(nodes, weights, window) : smoothed(nodes.map((x) => toSymlog(x, c)), weights);
      points.length = 0;
      points.push(...onDensityAxis(curve, densityIsLog()));
      return true;
    },
  };
}

/**
 * Σ wⱼ·N(t; tⱼ, σ) on a grid: spanning the nodes with σ a fiftieth of their span (at least 0.02 decades), or across
 * `window` with σ a fiftieth of the window (nodes outside it add only their tails).
 */
export function smoothed(ts: readonly number[], weights: readonly number[], window?: readonly [number, number]): Point[] {
  const lo = Math.min(...ts);
  const hi = Math.max(...ts);
  const sigma = window ? (window[1] - window[0]) / 50 : Math.max((hi - lo) / 50, 0.02);
  const [from, to] = window ?? [lo - 4 * sigma, hi + 4 * sigma];
  const norm = 1 / (sigma * Math.sqrt(2 * Math.PI));
  return Array.from({ length: GRID }, (_, i) => {
    const t = from + ((to - from) * i) / (GRID - 1);
    let y = 0;
    ts.forEach((tj, j) => (y += weights[j] * norm * Math.exp(-0.5 * ((t - tj) / sigma) ** 2)));
    return { x: t, y };
  });
}

/** One line per run whose last sample has per-tensor blocks: each tensor's λmax ± residual and trace ± error. */
export function tensorNotes(runs: Iterable<RunSnapshot>, label: (run: RunSnapshot) => string): string[] {
  const notes: string[] = [];
  for (const run of runs) {
    const s = [...run.curvature].reverse().find((c) => c.blocks && c.blocks.length > 0);
    if (!s?.blocks) continue;
    const each = s.blocks.map((b) => `${b.name} λmax ${b.converged ? '' : '≥ '}${formatNumber(b.lambdaMax)} ± ${formatNumber(b.residual)}, tr ${formatNumber(b.trace)} ± ${formatNumber(b.traceStdErr)}`);
    notes.push(`${label(run)} per tensor at step ${s.step}: ${each.join('; ')}`);
  }
  return notes;
}

/** One line per run with a density: its step, trace ± error and what the estimate rests on. */
export function spectrumNotes(runs: Iterable<RunSnapshot>, label: (run: RunSnapshot) => string): string[] {
  const notes: string[] = [];
  for (const run of runs) {
    const s = withDensity(run);
    if (!s || s.trace === undefined) continue;
    const how = s.traceMethod === 'exact' ? 'exact (the Hessian formed)' : `Hutchinson and Lanczos quadrature over ${s.traceProbes ?? '?'} probes`;
    const trace = s.traceMethod === 'exact' ? formatNumber(s.trace) : `${formatNumber(s.trace)} ± ${formatNumber(s.traceStdErr ?? NaN)}`;
    notes.push(`${label(run)} at step ${s.step}: tr(H) = ${trace}, ${how}`);
  }
  return notes;
}
