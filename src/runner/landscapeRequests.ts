/**
 * The runner's answers to the dashboard's landscape requests: a zoomed
 * window's grid (landscapeWindow.ts), a path slice (pathSliceGrid.ts) and the
 * 1-D interpolation between runs (interpolationProfile.ts).
 * Each waits for its turn on TensorFlow.js (tfTurns.ts: after the active run);
 * a newer request of the same kind cancels an older one (the older answer is
 * a warning the page ignores). Nothing throws: every request gets its answer.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { LandscapeWindowRequest } from '../protocol/landscapeWindow';
import type { InterpolationRequest } from '../protocol/interpolation';
import type { PathSliceRequest } from '../protocol/pathSlice';
import type { RunnerToHost } from '../protocol/runner';
import { interpolationProfile } from './interpolationProfile';
import { landscapeWindow } from './landscapeWindow';
import { pathSliceGrid } from './pathSliceGrid';
import { inTurn } from './tfTurns';

export interface LandscapeRequests {
  window(msg: LandscapeWindowRequest): Promise<void>;
  slice(msg: PathSliceRequest): Promise<void>;
  interpolation(msg: InterpolationRequest): Promise<void>;
}

const SUPERSEDED = 'superseded by a newer request';

export function landscapeRequests(tf: typeof tfType, send: (m: RunnerToHost) => void): LandscapeRequests {
  const latest = { window: 0, slice: 0, interpolation: 0 };
  const describe = (e: unknown): string => `landscape not drawn: ${e instanceof Error ? e.message : String(e)}`;
  /** Runs `job` in turn unless a newer request of its kind came first; a thrown error becomes the warning. */
  const answer = async <T extends object>(kind: keyof typeof latest, job: (isCancelled: () => boolean) => Promise<T>): Promise<T | { warning: string }> => {
    const token = ++latest[kind];
    const isCancelled = (): boolean => latest[kind] !== token;
    return inTurn(async () => (isCancelled() ? { warning: SUPERSEDED } : job(isCancelled))).catch((e: unknown) => ({ warning: describe(e) }));
  };
  return {
    async window(msg) {
      const { type: _type, requestId, ...req } = msg;
      const result = await answer('window', (isCancelled) => landscapeWindow(req, tf, isCancelled));
      send({ type: 'landscapeWindow', requestId, ...result });
    },
    async slice(msg) {
      const result = await answer('slice', (isCancelled) => pathSliceGrid(msg, tf, isCancelled));
      send({ type: 'pathSlice', requestId: msg.requestId, ...result });
    },
    async interpolation(msg) {
      const result = await answer('interpolation', (isCancelled) => interpolationProfile(msg.runIds, tf, isCancelled));
      send({ type: 'interpolation', requestId: msg.requestId, ...result });
    },
  };
}
