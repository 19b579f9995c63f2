/**
 * What the Sweep card draws, derived from a sweep file (src/protocol/sweep.ts) without the DOM:
 * sensitivity curves (final loss against lr, one per combination of the other swept values) and,
 * for a grid over lr and one other hyperparameter, the heat map's cells. Diverged runs (and
 * failed ones, and any without a finite final loss) are kept as marks, never dropped.
 */
import type { SweepResult, SweepRun } from '../../src/protocol/sweep';

export interface SweepPoint {
  lr: number;
  /** The final loss; null when the run is drawn as a mark (plottedLoss). */
  loss: number | null;
  /** Index of the run in result.runs. */
  run: number;
}

export interface SensitivityCurve {
  /** The other swept values of this curve, e.g. "momentum=0.9" ("" when lr is the only dimension). */
  label: string;
  /** Every run of the curve, by ascending lr (seeds side by side). */
  points: SweepPoint[];
  /** Joined by a line: a grid's curve; a search's trials are scattered points. */
  connect: boolean;
}

export interface HeatCell {
  row: number;
  column: number;
  /** Mean final loss over the cell's runs that have a plotted loss; null when none has. */
  loss: number | null;
  /** Some run of the cell is a mark (diverged, failed, no finite loss). */
  marked: boolean;
  /** The cell's first run (what a click shows). */
  run: number;
  /** Every run of the cell (its seeds). */
  runs: number[];
}

export interface HeatMap {
  /** The hyperparameter on the rows. */
  name: string;
  lrs: number[];
  /** The other hyperparameter's values as given on the command line. */
  values: string[];
  cells: HeatCell[];
}

/**
 * The final loss a curve goes through; null for a run drawn as a mark instead: diverged (its last loss
 * may still be a finite 1e35, which would flatten every other point), failed, or without a finite loss.
 */
export function plottedLoss(run: SweepRun): number | null {
  if (run.status === 'diverged' || run.status === 'error') return null;
  return run.final.loss !== null && Number.isFinite(run.final.loss) ? run.final.loss : null;
}

/** The swept dimensions other than lr, in the order the sweep gave them. */
export function otherDimensions(result: SweepResult): string[] {
  return result.space.map((d) => d.name).filter((n) => n !== 'lr');
}

const labelOf = (run: SweepRun, names: readonly string[]): string => names.map((n) => `${n}=${run.point[n] ?? '-'}`).join(' ');

/** A grid: one curve per combination of the other swept values. A search draws each trial at its own point: one set. */
export function sensitivityCurves(result: SweepResult): SensitivityCurve[] {
  const names = otherDimensions(result);
  const grid = result.mode === 'grid';
  const curves = new Map<string, SweepPoint[]>();
  result.runs.forEach((run, i) => {
    const label = grid ? labelOf(run, names) : `${result.mode} trials`;
    curves.set(label, [...(curves.get(label) ?? []), { lr: run.lr, loss: plottedLoss(run), run: i }]);
  });
  return [...curves].map(([label, points]) => ({ label, connect: grid, points: points.sort((a, b) => a.lr - b.lr || a.run - b.run) }));
}

/** A log loss axis needs every finite final loss above zero. */
export function lossAxisIsLog(result: SweepResult): boolean {
  const losses = result.runs.map(plottedLoss).filter((l): l is number => l !== null);
  return losses.length > 0 && losses.every((l) => l > 0);
}

/**
 * Where curve `curve`'s diverged runs are drawn: above every plotted loss (a decade up on a log axis),
 * each curve a little higher so marks at the same lr do not hide each other.
 */
export function markHeight(result: SweepResult, log: boolean, curve = 0): number {
  const losses = result.runs.map(plottedLoss).filter((l): l is number => l !== null);
  if (losses.length === 0) return 1 + curve * 0.1;
  const hi = Math.max(...losses);
  const lo = Math.min(...losses);
  if (log) return hi * 10 * 3 ** curve;
  const step = Math.max((hi - lo) * 0.08, Math.abs(hi) * 0.05, 1e-12);
  return hi + 2 * step + 2 * curve * step;
}

/** Values of a swept dimension in order: numerically when all are numbers, else as first seen. */
function orderedValues(values: string[]): string[] {
  const distinct = [...new Set(values)];
  const numeric = distinct.every((v) => v.trim() !== '' && Number.isFinite(Number(v)));
  return numeric ? distinct.sort((a, b) => Number(a) - Number(b)) : distinct;
}

/** The heat map of a grid over lr and exactly one other hyperparameter; undefined otherwise. */
export function heatMap(result: SweepResult): HeatMap | undefined {
  const names = otherDimensions(result);
  if (result.mode !== 'grid' || names.length !== 1 || !result.space.some((d) => d.name === 'lr')) return undefined;
  const name = names[0];
  const lrs = [...new Set(result.runs.map((r) => r.lr))].sort((a, b) => a - b);
  const values = orderedValues(result.runs.map((r) => r.point[name] ?? '-'));
  const byCell = new Map<string, number[]>();
  result.runs.forEach((run, i) => {
    const key = `${values.indexOf(run.point[name] ?? '-')}:${lrs.indexOf(run.lr)}`;
    byCell.set(key, [...(byCell.get(key) ?? []), i]);
  });
  const cells = [...byCell].map(([key, runs]) => {
    const [row, column] = key.split(':').map(Number);
    const losses = runs.map((i) => plottedLoss(result.runs[i]));
    const finite = losses.filter((l): l is number => l !== null);
    return {
      row, column, run: runs[0], runs,
      loss: finite.length > 0 ? finite.reduce((a, b) => a + b, 0) / finite.length : null,
      marked: finite.length < losses.length,
    };
  });
  return { name, lrs, values, cells };
}
