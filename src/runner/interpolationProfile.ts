/**
 * The 1-D interpolation of issue 23: the loss along the straight line between two runs' final points
 * (do their minima connect, or is there a barrier?), or between one run's start and end, from the
 * paths the runner keeps (pathStore.ts). The line is pathDirections.ts's interpolationLine, evaluated
 * as a one-direction plane; t = 0 and t = 1 are the two points. The dashboard's Interpolate button asks
 * for it (src/protocol/interpolation.ts, webview/charts/interpolationCard.ts).
 */
import type * as tfType from '@tensorflow/tfjs';
import { evaluatePlane, LandscapeBudgetError } from './evaluatePlane';
import { withObjective } from './landscapeWindow';
import { interpolationLine } from './pathDirections';
import { storedPath, type StoredPath } from './pathStore';

/** Points on the line (about a quarter of them beyond either end). */
export const INTERPOLATION_POINTS = 61;

export interface InterpolationProfile {
  /** 'runs': run A's final point (t = 0) to run B's (t = 1); 'path': a run's start to its end. */
  between: 'runs' | 'path';
  ts: number[];
  losses: (number | null)[];
  /** The loss at t = 0 and t = 1. */
  ends: [number, number];
  /** The highest loss for t in [0, 1] above the higher end (0: none; the minima connect along the line). */
  barrier: number;
}

export type InterpolationResult = { profile: InterpolationProfile } | { warning: string };

/** The barrier along the line: max over t ∈ [0, 1] of the loss, less the higher of the two ends. */
export function barrierOf(ts: readonly number[], losses: readonly (number | null)[]): { ends: [number, number]; barrier: number } {
  const at = (t: number): number => losses[ts.indexOf(t)] ?? NaN;
  const ends: [number, number] = [at(0), at(1)];
  const inside = losses.filter((v, i): v is number => v !== null && ts[i] >= 0 && ts[i] <= 1);
  return { ends, barrier: Math.max(0, Math.max(...inside) - Math.max(...ends)) };
}

/** The line between two stored runs' final points, or (one run) between its start and its end. */
export async function interpolationProfile(
  runIds: readonly [string] | readonly [string, string], tf: typeof tfType, isCancelled: () => boolean = () => false, count = INTERPOLATION_POINTS,
): Promise<InterpolationResult> {
  const paths = runIds.map((id) => storedPath(id));
  const missing = runIds.filter((_, i) => !paths[i]);
  if (missing.length > 0) return { warning: `no recorded path for ${missing.join(', ')}: the runner keeps the paths of runs of more than 2 parameters it ran since it started` };
  const [first, second] = paths as StoredPath[];
  if (second && (second.n !== first.n || second.ref.file !== first.ref.file || second.ref.objective !== first.ref.objective)) {
    return { warning: 'the two runs are of different objectives: no line between them' };
  }
  const last = (p: StoredPath): Float32Array => p.points[p.points.length - 1];
  const [a, b] = second ? [last(first), last(second)] : [first.points[0], last(first)];
  const line = interpolationLine(a, b, count);
  const result = await withObjective(first.ref, tf, isCancelled, async ({ evaluator }): Promise<InterpolationResult> => {
    try {
      const done = await evaluatePlane(evaluator, line);
      if (!done || done === 'not-batchable') return { warning: 'interpolation not drawn: cancelled' };
      const losses = Array.from(done.values, (v) => (Number.isFinite(v) ? v : null));
      const { ends, barrier } = barrierOf(line.ts, losses);
      // A NaN end or barrier would not survive JSON: say so instead.
      if (![...ends, barrier].every(Number.isFinite)) return { warning: 'interpolation not drawn: the loss is not finite at an end of the line' };
      return { profile: { between: second ? 'runs' : 'path', ts: line.ts, losses, ends, barrier } };
    } catch (e) {
      if (e instanceof LandscapeBudgetError) return { warning: `interpolation not drawn: stopped at the time budget (${e.message})` };
      throw e;
    }
  });
  return result;
}
