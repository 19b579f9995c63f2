/**
 * Thinned copies of recent runs' paths, for the dashboard's PCA and Hessian
 * slices of objectives with more than two parameters (their step records
 * carry no parameters). A run keeps x0 and about PATH_POINTS evenly spaced
 * iterates (fewer for large models, at most PATH_FLOATS numbers), plus its
 * final point; the last MAX_RUNS runs stay. The runner process is one per
 * window and warm, so the runs the dashboard shows are normally here; a
 * restarted runner has lost them (the slice says so).
 */
import type * as tfType from '@tensorflow/tfjs';
import { TRAJECTORY_MAX_PARAMS, type RunRequest, type RunnerToHost } from '../protocol/runner';
import type { ObjectiveRef } from './landscapeWindow';

export const PATH_POINTS = 60;
const PATH_FLOATS = 8_000_000;
const MAX_RUNS = 8;

export interface StoredPath {
  ref: ObjectiveRef;
  n: number;
  /** Step index of each point (0: x0; k: the parameters after k updates). */
  steps: number[];
  points: Float32Array[];
}

const store = new Map<string, StoredPath>();

export function storedPath(runId: string): StoredPath | undefined {
  return store.get(runId);
}

/** Puts a path in the store (oldest out past MAX_RUNS); also for tests. */
export function keepPath(runId: string, path: StoredPath): void {
  store.delete(runId);
  store.set(runId, path);
  while (store.size > MAX_RUNS) store.delete(store.keys().next().value as string);
}

export interface PathRecorder {
  /** Every event the run sends (started gives n and x0, done the final point). */
  see(m: RunnerToHost): void;
  /** After update `step` the parameters are `x` (copied when the point is kept). */
  step(step: number, x: Float32Array | tfType.Tensor1D): void | Promise<void>;
}

export function pathRecorder(req: RunRequest): PathRecorder {
  const ref: ObjectiveRef = { file: req.file, seed: req.seed, maximize: req.optimizer.maximize === true, ...(req.text !== undefined ? { text: req.text } : {}), ...(req.objective !== undefined ? { objective: req.objective } : {}) };
  let path: StoredPath | undefined;
  let stride = 1;
  /** Updates done so far: the final point is the parameters after the last one. */
  let lastSeen = 0;
  const keep = (step: number, values: ArrayLike<number>): void => {
    if (!path || values.length !== path.n || path.steps[path.steps.length - 1] === step) return;
    path.steps.push(step);
    path.points.push(Float32Array.from(values));
  };
  return {
    see(m) {
      if (m.type === 'started') {
        const n = m.meta.paramCount;
        const most = Math.min(PATH_POINTS, Math.floor(PATH_FLOATS / Math.max(n, 1)));
        if (n <= TRAJECTORY_MAX_PARAMS || most < 3) return;
        path = { ref, n, steps: [], points: [] };
        stride = Math.max(1, Math.ceil(req.steps / (most - 2)));
        keep(0, m.meta.initialParams);
      } else if (m.type === 'done' && path) {
        // Skipped when the last update's parameters are kept already (or were not sent: a large model).
        keep(lastSeen, m.final.params);
        if (path.points.length > 0) keepPath(req.runId, path);
        path = undefined;
      } else if (m.type === 'error') {
        path = undefined;
      }
    },
    step(step, x) {
      lastSeen = step + 1;
      if (!path || (step + 1) % stride !== 0) return;
      const at = step + 1;
      if (x instanceof Float32Array) return keep(at, x);
      return x.data().then((values) => keep(at, values));
    },
  };
}
