/**
 * Parameter importance of a sweep, fANOVA-lite: for each swept hyperparameter, the share of the variance of
 * log10(final loss) over all runs that its main effect explains, η² = Σ_groups n_g (ȳ_g − ȳ)² / Σ (y − ȳ)².
 * Groups are the hyperparameter's distinct values (a grid), or, with more distinct values than MAX_GROUPS (a
 * random or Sobol search), equal-count bins of its values in axis order. A diverged run (or one without a
 * finite loss) counts as one decade above the worst finished run, so a hyperparameter that decides divergence
 * is important. On a full grid the main effects are orthogonal: what they leave is interactions and seed noise.
 */
import type { SweepResult } from '../../src/protocol/sweep';
import { sweepAxes } from './sweepAxes';
import { plottedLoss } from './sweepModel';
import { interactionImportance, pairGroups, type PairImportance } from './interactions';

export const MAX_GROUPS = 10;

export interface Importance {
  name: string;
  /** η² in [0, 1]. */
  share: number;
  /** How many groups the runs fell into. */
  groups: number;
}

export interface ImportanceResult {
  /** Largest share first. */
  bars: Importance[];
  /** Two-way interactions (interactions.ts), largest first; empty with one swept hyperparameter. */
  pairs: PairImportance[];
  /** 1 − Σ shares, main and pairs (at least 0): higher-order interactions, seeds and, for a search, what the bins blur. */
  rest: number;
  /** log10 of the losses (false: a loss ≤ 0, the raw losses are used). */
  logLoss: boolean;
  diverged: number;
}

/** The value each run contributes: log10 final loss, diverged runs a decade above the worst finished one. */
export function importanceTargets(result: SweepResult): { ys: number[]; logLoss: boolean; diverged: number } {
  const losses = result.runs.map(plottedLoss);
  const finite = losses.filter((l): l is number => l !== null);
  const logLoss = finite.length > 0 && finite.every((l) => l > 0);
  const f = (l: number): number => (logLoss ? Math.log10(l) : l);
  const worst = finite.length > 0 ? Math.max(...finite.map(f)) : 0;
  const spread = finite.length > 1 ? worst - Math.min(...finite.map(f)) : 1;
  const penalty = worst + (logLoss ? 1 : Math.max(spread, 1e-12));
  return { ys: losses.map((l) => (l === null ? penalty : f(l))), logLoss, diverged: losses.filter((l) => l === null).length };
}

/** Group index of each run: distinct values, or equal-count bins of the sorted values. */
export function groupsOf(values: readonly number[], maxGroups = MAX_GROUPS): number[] {
  const distinct = [...new Set(values)].sort((a, b) => a - b);
  if (distinct.length <= maxGroups) return values.map((v) => distinct.indexOf(v));
  const order = values.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v);
  const bins = Math.min(maxGroups, Math.max(2, Math.floor(Math.sqrt(values.length))));
  const out = new Array<number>(values.length);
  order.forEach(({ i }, rank) => {
    out[i] = Math.min(bins - 1, Math.floor((rank * bins) / values.length));
  });
  return out;
}

/** η²: the share of the variance of `ys` between the groups' means. */
export function varianceExplained(ys: readonly number[], groups: readonly number[]): number {
  const mean = ys.reduce((a, b) => a + b, 0) / ys.length;
  const total = ys.reduce((a, y) => a + (y - mean) ** 2, 0);
  if (!(total > 0)) return 0;
  const sums = new Map<number, { n: number; sum: number }>();
  ys.forEach((y, i) => {
    const g = sums.get(groups[i]) ?? { n: 0, sum: 0 };
    sums.set(groups[i], { n: g.n + 1, sum: g.sum + y });
  });
  let between = 0;
  for (const { n, sum } of sums.values()) between += n * (sum / n - mean) ** 2;
  return Math.min(1, between / total);
}

export function parameterImportance(result: SweepResult): ImportanceResult {
  const { ys, logLoss, diverged } = importanceTargets(result);
  // Equal-count bins depend on the values' order only: the same on a log or a linear axis.
  const axes = sweepAxes(result);
  const bars = axes.map((axis) => {
    const groups = groupsOf(axis.values);
    return { name: axis.name, share: ys.length > 1 ? varianceExplained(ys, groups) : 0, groups: new Set(groups).size };
  });
  bars.sort((a, b) => b.share - a.share);
  const pairs = interactionImportance(ys, axes.map((axis) => pairGroups(axis.name, axis.values, result.mode === 'grid')));
  const explained = [...bars, ...pairs].reduce((a, b) => a + b.share, 0);
  return { bars, pairs, rest: Math.max(0, 1 - explained), logLoss, diverged };
}
