/**
 * Brushing on the Sweep card's parallel coordinates: a range dragged on an axis keeps the runs whose line
 * crosses that axis inside it; ranges on several axes all must hold. Ranges are in the axes' 0..1
 * positions (parallelModel.ts), so the diverged band above the loss axis can be brushed too.
 */
import type { ParallelModel } from './parallelModel';

/** [low, high] on an axis, in its 0..1 positions. */
export type BrushRange = readonly [number, number];
/** Axis index (the model's order, the loss axis last) → its range. */
export type Brushes = ReadonlyMap<number, BrushRange>;

/** The runs inside every brush; undefined when nothing is brushed (every run counts as shown). */
export function brushedRuns(model: ParallelModel, brushes: Brushes): Set<number> | undefined {
  if (brushes.size === 0) return undefined;
  const inside = (ys: readonly number[]) => [...brushes].every(([axis, [lo, hi]]) => ys[axis] >= lo && ys[axis] <= hi);
  return new Set(model.lines.filter((line) => inside(line.ys)).map((line) => line.run));
}

/** True when run `run` is shown under `selection` (no selection: all are). */
export const isBrushed = (selection: ReadonlySet<number> | undefined, run: number): boolean => selection === undefined || selection.has(run);

/** In words, for the caption and a screen reader. */
export function brushText(model: ParallelModel, brushes: Brushes, selection: ReadonlySet<number> | undefined): string {
  if (!selection) return 'drag along an axis to brush (select) runs; click an axis to clear its brush';
  const axes = [...brushes.keys()].map((i) => model.axes[i]?.name ?? `axis ${i}`).join(', ');
  return `${selection.size} of ${model.lines.length} runs in the brush on ${axes}; the other views dim the rest; click a brushed axis to clear it`;
}
