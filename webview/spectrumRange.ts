/**
 * The spectral-density card's eigenvalue range: every eigenvalue on the symmetric-log axis (the default, where
 * negative eigenvalues and outliers decades away show at once), or the bulk on a linear axis, where the shape of
 * the bulk shows as it is (PyHessian's plots). The bulk is the central BULK_SHARE of the density's weight
 * (stochastic Lanczos quadrature's nodes and weights, src/core/curvature/spectralDensity.ts), widened a little
 * on each side; what lies outside is said in the card's note, not dropped silently.
 */
import type { CurvatureSample } from '../src/protocol/runner';
import type { RunSnapshot } from '../src/protocol/webview';
import { formatNumber } from './charts/buildSeries';

export type EigenRange = 'all' | 'bulk';

/** The share of the density's weight the bulk view spans (the rest, half on each side, is the outliers). */
export const BULK_SHARE = 0.95;

/** The bulk window is widened by this share of its width on each side, so its edges' curves are not cut. */
export const BULK_MARGIN = 0.05;

let range: EigenRange = 'all';
export const eigenRange = (): EigenRange => range;
export function setEigenRange(next: EigenRange): void {
  range = next;
}

/** A run's latest sample with a density. */
export const latestDensity = (run: RunSnapshot): CurvatureSample | undefined =>
  [...run.curvature].reverse().find((c) => c.density && c.density.nodes.length > 0);

/** The node at which the weights summed in ascending order first reach `share` (1e-9 of slack for rounding). */
function weightedQuantile(nodes: readonly number[], weights: readonly number[], share: number): number {
  const order = nodes.map((_, i) => i).sort((a, b) => nodes[a] - nodes[b]);
  const total = weights.reduce((s, w) => s + w, 0);
  let sum = 0;
  for (const i of order) {
    sum += weights[i] / total;
    if (sum >= share - 1e-9) return nodes[i];
  }
  return nodes[order[order.length - 1]];
}

/** The bulk's λ window over every given run's latest density (the union of theirs), widened by BULK_MARGIN; undefined without a density. */
export function bulkWindow(runs: Iterable<RunSnapshot>): [number, number] | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  const tail = (1 - BULK_SHARE) / 2;
  for (const run of runs) {
    const d = latestDensity(run)?.density;
    if (!d) continue;
    lo = Math.min(lo, weightedQuantile(d.nodes, d.weights, tail));
    hi = Math.max(hi, weightedQuantile(d.nodes, d.weights, 1 - tail));
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return undefined;
  // A bulk of one node still gets a width: a twentieth of its size (or 1e-12 at zero).
  const pad = Math.max((hi - lo) * BULK_MARGIN, Math.abs(hi) * BULK_MARGIN, 1e-12);
  return [lo - pad, hi + pad];
}

/** The weight of a density outside [lo, hi], and its nodes' extremes there (below lo, above hi). */
export function outsideWindow(d: { nodes: readonly number[]; weights: readonly number[] }, [lo, hi]: [number, number]): { weight: number; below?: number; above?: number } {
  let weight = 0;
  let below: number | undefined;
  let above: number | undefined;
  d.nodes.forEach((x, i) => {
    if (x >= lo && x <= hi) return;
    weight += d.weights[i];
    if (x < lo) below = Math.min(below ?? x, x);
    else above = Math.max(above ?? x, x);
  });
  return { weight, ...(below !== undefined ? { below } : {}), ...(above !== undefined ? { above } : {}) };
}

/** In the bulk view, one line per run with a density: how much of its weight lies outside the window, and how far. */
export function bulkNotes(runs: readonly RunSnapshot[], label: (run: RunSnapshot) => string): string[] {
  if (range !== 'bulk') return [];
  const window = bulkWindow(runs);
  if (!window) return [];
  const notes = [`bulk λ ∈ [${formatNumber(window[0])}, ${formatNumber(window[1])}] (the central ${Math.round(BULK_SHARE * 100)} % of the weight)`];
  for (const run of runs) {
    const d = latestDensity(run)?.density;
    if (!d) continue;
    const out = outsideWindow(d, window);
    if (out.weight <= 0) continue;
    const where = [out.below !== undefined ? `down to ${formatNumber(out.below)}` : '', out.above !== undefined ? `up to ${formatNumber(out.above)}` : ''].filter(Boolean).join(', ');
    notes.push(`${label(run)}: ${formatNumber(out.weight * 100)} % of the weight outside (${where})`);
  }
  return notes;
}
