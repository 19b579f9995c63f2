/**
 * Per-tensor small multiples (issue 21): one small chart per named parameter tensor of one run, all on the
 * same step axis (0 to the run's steps), from the step records' `tensors` (src/protocol/stepDiagnostics.ts):
 * ‖∇θ‖, ‖θ‖, ‖Δθ‖ and the update/parameter ratio ‖Δθ‖/‖θ‖ on a log axis, and the tensor's block λmax
 * (the Hessian's diagonal block, PyHessian#10's per-layer curvature) at curvature samples whose Lanczos
 * converged (a bound that did not converge is not a value; the spectrum card's note gives it with "≥").
 */
import type { RunSnapshot } from '../src/protocol/webview';
import { updateRatio } from '../src/protocol/stepDiagnostics';
import type { ChartSpec } from './charts/seriesChart';
import { curvatureSeries, positive, stepSeries, type Point, type Series } from './charts/series';
import type { Theme } from './theme';

/** At most this many tensors get a chart (the note says how many more there are). */
export const MULTIPLES_MAX = 12;

export interface TensorPanel {
  readonly name: string;
  readonly size: number;
  readonly series: Series[];
}

/** The quantities each small chart draws, in the legend's order. */
export const TENSOR_QUANTITIES = ['‖∇θ‖', '‖θ‖', '‖Δθ‖', '‖Δθ‖/‖θ‖', 'block λmax'] as const;

const hasTensorRecords = (run: RunSnapshot): boolean => run.meta?.tensors !== undefined && run.steps.some((s) => s.tensors !== undefined);

/** The run whose tensors are drawn: the selected one when it has them, else the latest that has them. */
export function shownTensorRun(runs: readonly RunSnapshot[], selected?: string): RunSnapshot | undefined {
  const chosen = runs.find((r) => r.runId === selected);
  if (chosen && hasTensorRecords(chosen)) return chosen;
  return [...runs].reverse().find(hasTensorRecords);
}

/** One panel per tensor (up to MULTIPLES_MAX), each with its five series; colours from the theme's palette. */
export function tensorPanels(run: RunSnapshot, theme: Theme): TensorPanel[] {
  const tensors = (run.meta?.tensors ?? []).slice(0, MULTIPLES_MAX);
  const colour = (i: number) => theme.palette[i % theme.palette.length];
  return tensors.map(({ name, size }, k) => {
    const head = (i: number, extra: Partial<Series['style']> = {}) => ({
      key: `${run.runId}:tensor-${k}-${i}`, runId: run.runId, ghost: false, label: `${TENSOR_QUANTITIES[i]} ${name}`,
      style: { color: colour(i), width: 1.25, pointRadius: 0, ...extra },
    });
    const norm = (i: number, dash: number[] | undefined, y: (t: NonNullable<RunSnapshot['steps'][number]['tensors']>) => number | null) =>
      stepSeries(head(i, dash ? { dash } : {}), run, (s) => {
        const value = s.tensors ? y(s.tensors) : null;
        return value === null ? null : { x: s.step, y: positive(value) };
      });
    return {
      name, size,
      series: [
        norm(0, undefined, (t) => t.grad[k]),
        norm(1, [2, 2], (t) => t.param[k]),
        norm(2, undefined, (t) => t.update[k]),
        norm(3, [6, 3], (t) => updateRatio(t, k)),
        curvatureSeries(head(4, { pointRadius: 3, showLine: false }), run, (c): Point | null => {
          const block = c.blocks?.find((b) => b.name === name);
          return block?.converged ? { x: c.step, y: positive(block.lambdaMax) } : null;
        }),
      ],
    };
  });
}

/** Every small chart's axes: the same x range (the run's steps), a log y. */
export function panelSpec(run: RunSnapshot, theme: Theme, title: string): ChartSpec {
  return {
    x: { type: 'linear', title: 'step', min: 0, max: run.meta?.steps ?? Math.max(1, run.steps[run.steps.length - 1]?.step ?? 1) },
    y: { type: 'logarithmic', title },
    bg: theme.bg,
  };
}

/** What the card's note says: which run, how many tensors are not drawn, how often the records carry them. */
export function tensorNote(run: RunSnapshot, label: string): string {
  const count = run.meta?.tensors?.length ?? 0;
  const measured = run.steps.filter((s) => s.tensors).length;
  const more = count > MULTIPLES_MAX ? `; the first ${MULTIPLES_MAX} of ${count} tensors` : '';
  return `${label}: ${count} tensors, measured at ${measured} of ${run.steps.length} records${more}`;
}
