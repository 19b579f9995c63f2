/**
 * Parallel coordinates of a sweep: one vertical axis per swept hyperparameter and a last one for the final
 * loss (log10 when every finished loss is positive); one polyline per run through its positions, coloured by
 * its final loss (viridis, as the heat map: dark the lowest). A diverged run (or one without a finite loss)
 * has no colour to take: it is drawn dashed in grey and ends in a 'diverged' band above the loss axis.
 */
import type { SweepResult } from '../../src/protocol/sweep';
import { logTicks, linearTicks, formatTick } from '../charts/axisTicks';
import { colourAt } from './heatMapView';
import { axisPosition, sweepAxes, type SweepAxis } from './sweepAxes';
import { lossAxisIsLog, plottedLoss } from './sweepModel';

/** Where diverged runs end, above the loss axis's top (1). */
export const DIVERGED_Y = 1.1;

export interface ParallelTick {
  /** Position on the axis, 0..1. */
  y: number;
  label: string;
}

export interface ParallelAxis {
  name: string;
  ticks: ParallelTick[];
}

export interface ParallelLine {
  run: number;
  /** Position on each axis in order, the loss axis last (DIVERGED_Y for a diverged run). */
  ys: number[];
  diverged: boolean;
  /** Viridis of the final loss; undefined for a diverged run. */
  colour?: string;
}

export interface ParallelModel {
  axes: ParallelAxis[];
  lines: ParallelLine[];
  logLoss: boolean;
}

function ticksOf(axis: Pick<SweepAxis, 'scale' | 'min' | 'max' | 'categories'>, budget: number): ParallelTick[] {
  if (axis.scale === 'category') return (axis.categories ?? []).map((label, i) => ({ y: axisPosition(axis, i), label }));
  const values = axis.scale === 'log' ? logTicks(axis.min, axis.max, budget) : linearTicks(axis.min, axis.max, budget);
  return values.map((v) => ({ y: axisPosition(axis, v), label: formatTick(v) }));
}

/** `budget`: how many labels an axis has room for (charts/axisTicks.ts's tickBudget of the plot's height). */
export function parallelModel(result: SweepResult, budget = 6): ParallelModel {
  const axes = sweepAxes(result);
  const losses = result.runs.map(plottedLoss);
  const finite = losses.filter((l): l is number => l !== null);
  const logLoss = lossAxisIsLog(result);
  const lo = finite.length > 0 ? Math.min(...finite) : 0;
  const hi = finite.length > 0 ? Math.max(...finite) : 1;
  const lossAxis: Pick<SweepAxis, 'scale' | 'min' | 'max'> = hi > lo ? { scale: logLoss ? 'log' : 'linear', min: lo, max: hi } : { scale: 'linear', min: lo - 1, max: hi + 1 };
  const lines = result.runs.map((_, run): ParallelLine => {
    const loss = losses[run];
    const ys = [...axes.map((a) => axisPosition(a, a.values[run])), loss === null ? DIVERGED_Y : axisPosition(lossAxis, loss)];
    return loss === null ? { run, ys, diverged: true } : { run, ys, diverged: false, colour: colourAt(ys[ys.length - 1]) };
  });
  return {
    axes: [...axes.map((a) => ({ name: a.name, ticks: ticksOf(a, budget) })), { name: 'final loss', ticks: ticksOf(lossAxis, budget) }],
    // Diverged runs first, so the coloured lines are drawn over them.
    lines: [...lines.filter((l) => l.diverged), ...lines.filter((l) => !l.diverged).sort((a, b) => b.ys[b.ys.length - 1] - a.ys[a.ys.length - 1])],
    logLoss,
  };
}
