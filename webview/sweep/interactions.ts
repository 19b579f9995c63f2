/**
 * Interaction importance of a sweep: for each pair of swept hyperparameters (A, B), the share of the variance
 * of the importance target (importance.ts: log10 final loss, diverged runs a decade above the worst) that the
 * pair explains beyond its two main effects, the two-way ANOVA's η²_AB = (SS_cells − SS_A − SS_B) / SS_total.
 * On a full grid the main effects and the interaction are orthogonal, so this is fANOVA's second-order term
 * for a grid; on a search (binned values, unbalanced cells) the difference can come out below 0: it is cut at 0.
 */
import { groupsOf, varianceExplained } from './importance';

/** Bins per axis for a pair on a search: cells are bins², and each needs a few runs. */
export const MAX_PAIR_GROUPS = 5;
/** Runs a search's cell should hold on average: fewer, and the cells' means fit the noise, which reads as interaction. */
export const RUNS_PER_CELL = 4;

/** Bins per axis for a search of `runs` runs: at most MAX_PAIR_GROUPS, about RUNS_PER_CELL runs a cell, at least 2. */
export const pairBins = (runs: number): number => Math.max(2, Math.min(MAX_PAIR_GROUPS, Math.floor(Math.sqrt(runs / RUNS_PER_CELL))));

export interface PairImportance {
  /** "lr × momentum", in the sweep's order. */
  name: string;
  pair: [string, string];
  /** η²_AB in [0, 1]. */
  share: number;
  /** Cells that held at least one run. */
  cells: number;
}

export interface AxisGroups {
  name: string;
  /** Each run's group on this axis (grid value or bin). */
  groups: readonly number[];
}

/** Each pair's interaction share, largest first. `ys`: the importance target per run. */
export function interactionImportance(ys: readonly number[], axes: readonly AxisGroups[]): PairImportance[] {
  if (ys.length < 2) return [];
  const out: PairImportance[] = [];
  for (let i = 0; i < axes.length; i++) {
    for (let j = i + 1; j < axes.length; j++) {
      const a = axes[i].groups;
      const b = axes[j].groups;
      const width = Math.max(...b) + 1;
      const cells = ys.map((_, r) => a[r] * width + b[r]);
      const share = varianceExplained(ys, cells) - varianceExplained(ys, a) - varianceExplained(ys, b);
      out.push({ name: `${axes[i].name} × ${axes[j].name}`, pair: [axes[i].name, axes[j].name], share: Math.max(0, share), cells: new Set(cells).size });
    }
  }
  return out.sort((x, y) => y.share - x.share);
}

/**
 * Groups for the pairs: a grid's as its main effects have them (so the cells refine both main effects' groups),
 * a search's values in pairBins equal-count bins.
 */
export function pairGroups(name: string, values: readonly number[], grid: boolean): AxisGroups {
  return { name, groups: grid ? groupsOf(values) : groupsOf(values, pairBins(values.length)) };
}
