/**
 * Step records as columns (one array per field, which lineCodec.ts then writes in binary) and the thinning
 * of long runs: a saved run keeps at most a given number of records, evenly spaced, always with the first,
 * the last and the lowest-loss one, so the curve keeps its shape, ends and best point.
 */
import type { DashboardStep } from '../../protocol/webview';

const FIELDS = ['step', 'loss', 'gradNorm', 'updateNorm', 'lr', 'evals', 'wallMs'] as const;

export type StepColumns = Record<(typeof FIELDS)[number], number[]> & {
  /** Every record's parameters, concatenated (`paramsWidth` each), when every record has them. */
  params?: number[];
  paramsWidth?: number;
};

/** The records as columns; undefined when some records carry parameters and others do not, or per-step diagnostics (kept as records then). */
export function toColumns(steps: readonly DashboardStep[]): StepColumns | undefined {
  if (steps.some((s) => s.tensors !== undefined || s.gauge !== undefined)) return undefined;
  const width = steps[0]?.params?.length;
  const sameParams = steps.every((s) => s.params?.length === width);
  if (!sameParams) return undefined;
  const columns = Object.fromEntries(FIELDS.map((f) => [f, steps.map((s) => s[f])])) as unknown as StepColumns;
  if (width !== undefined) {
    columns.params = steps.flatMap((s) => s.params ?? []);
    columns.paramsWidth = width;
  }
  return columns;
}

/** The records back from columns (the inverse of toColumns). */
export function fromColumns(columns: StepColumns): DashboardStep[] {
  const n = columns.step.length;
  for (const f of FIELDS) if (columns[f].length !== n) throw new Error(`step column '${f}' has ${columns[f].length} entries, 'step' has ${n}`);
  const width = columns.paramsWidth ?? 0;
  return Array.from({ length: n }, (_, i) => {
    const record: DashboardStep = {
      step: columns.step[i], loss: columns.loss[i], gradNorm: columns.gradNorm[i], updateNorm: columns.updateNorm[i],
      lr: columns.lr[i], evals: columns.evals[i], wallMs: columns.wallMs[i],
    };
    if (columns.params && width > 0) record.params = columns.params.slice(i * width, (i + 1) * width);
    return record;
  });
}

/** The indices kept when the records of `losses` are thinned to at most `max` (ascending; all when there are no more). */
export function keptIndices(losses: readonly number[], max: number): number[] {
  const count = losses.length;
  if (count <= max) return losses.map((_, i) => i);
  let best = 0;
  for (let i = 1; i < count; i++) if (losses[i] < losses[best]) best = i;
  const kept = new Set<number>([0, count - 1, best]);
  const spaced = Math.max(max - kept.size, 1);
  for (let k = 0; k < spaced; k++) kept.add(Math.round((k * (count - 1)) / Math.max(spaced - 1, 1)));
  // The spaced indices include 0 and count − 1, so at most max indices (3 when max is smaller).
  return [...kept].sort((a, b) => a - b);
}

/** At most `max` records of `steps` (the same array when it is short enough). */
export function thinSteps(steps: readonly DashboardStep[], max: number): readonly DashboardStep[] {
  if (steps.length <= max) return steps;
  return keptIndices(steps.map((s) => s.loss), max).map((i) => steps[i]);
}
