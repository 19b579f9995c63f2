/**
 * The loss curves of the runs in the parallel coordinates' brush (brush.ts): the runs' thinned losses against
 * the step, each in its parallel-coordinates colour (viridis of its final loss; grey dashed if diverged), so
 * brushing filters the loss curves shown. At most MAX_BRUSHED_CURVES, the lowest final losses first.
 */
import type { ChartConfiguration } from 'chart.js';
import type { SweepResult } from '../../src/protocol/sweep';
import { withAlpha, type Theme } from '../theme';
import { axis, baseOptions } from './sweepCharts';
import type { ParallelModel } from './parallelModel';

export const MAX_BRUSHED_CURVES = 60;

export interface BrushedCurve {
  run: number;
  points: { x: number; y: number }[];
  colour: string;
  diverged: boolean;
}

/** The brushed runs' curves, in the parallel model's drawing order reversed (best first), capped. */
export function brushedCurves(result: SweepResult, model: ParallelModel, selection: ReadonlySet<number>, theme: Theme): BrushedCurve[] {
  const lines = [...model.lines].reverse().filter((line) => selection.has(line.run)).slice(0, MAX_BRUSHED_CURVES);
  return lines.map((line) => ({
    run: line.run,
    points: result.runs[line.run].steps.filter((s) => s.loss !== null && Number.isFinite(s.loss)).map((s) => ({ x: s.step, y: s.loss as number })),
    colour: line.diverged ? withAlpha(theme.muted, 0.8) : (line.colour as string),
    diverged: line.diverged,
  }));
}

/** The y range of the runs that did not diverge (a diverged run's 1e30 would flatten them), diverged ones leave the top. */
export function finiteRange(curves: readonly BrushedCurve[], log: boolean): { min?: number; max?: number } {
  const ys = curves.filter((c) => !c.diverged).flatMap((c) => c.points.map((p) => p.y));
  if (ys.length === 0) return {};
  const lo = Math.min(...ys);
  const hi = Math.max(...ys);
  if (log) return { min: lo / 1.5, max: hi * 1.5 };
  const pad = 0.05 * (hi - lo || Math.abs(hi) || 1);
  return { min: lo - pad, max: hi + pad };
}

export function brushedLossConfig(curves: readonly BrushedCurve[], theme: Theme): ChartConfiguration<'line', { x: number; y: number }[]> {
  const log = curves.every((c) => c.points.every((p) => p.y > 0));
  const steps = axis(theme, 'linear', 'step');
  // Steps are whole numbers: no 0.5 ticks on a short run.
  const stepAxis = { ...steps, ticks: { ...steps.ticks, precision: 0 } };
  const options = baseOptions(theme, stepAxis, { ...axis(theme, log ? 'logarithmic' : 'linear', 'loss'), ...finiteRange(curves, log) });
  return {
    type: 'line',
    data: {
      datasets: curves.map((c) => ({
        label: `run ${c.run}`, data: c.points, borderColor: c.colour, backgroundColor: c.colour, borderWidth: 1.25, borderDash: c.diverged ? [4, 3] : [], pointRadius: 0, tension: 0,
      })),
    },
    options: { ...options, parsing: false, plugins: { ...options.plugins, tooltip: { enabled: false } } },
  };
}
