/**
 * The run's `landscape` message: the loss around the run on a grid.
 * 1 parameter: a curve over `domain` (or a window around the initial point);
 * 2 parameters: a 60×60 contour grid, likewise; more: a 2-D (or, when the
 * objective is slow, 1-D) slice through the initial point along random
 * filter-normalised directions (src/runner/filterNormalizedDirection.ts).
 * Sent after `started`; when the path of a 1- or 2-parameter run leaves a
 * window that no domain fixed, the grid is recomputed around the whole path
 * before `done`. A failure or an exhausted time budget becomes a warning; the
 * run goes on.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { ParamLayout, Params } from '../core/paramLayout';
import { TRAJECTORY_MAX_PARAMS, type Landscape, type LandscapeMessage, type StepRecord } from '../protocol/runner';
import { evaluatePlane, inRunSign, LandscapeBudgetError, type Plane, type PlaneEvaluator } from './evaluatePlane';
import { type Box, featureWindow } from './featureWindow';
import { randomSliceDirections } from './filterNormalizedDirection';

export const CONTOUR_SIZE = 60;
/** The contour's size when the objective must be evaluated point by point (1,600 evaluations instead of 3,600). */
export const LOOP_CONTOUR_SIZE = 40;
export const CURVE_SIZE = 200;
export const SLICE2D_SIZE = 31;
export const SLICE1D_SIZE = 61;
/** The random slice's axis titles (the run's grid and a zoomed window of it). */
export const RANDOM_SLICE_AXES = ['α (direction 1)', 'β (direction 2)'] as const;
/** The axis of the 1-D random slice (when the 2-D one would not fit the budget). */
export const RANDOM_LINE_AXIS = 'α (random direction)';
/** At most this long (ms) on a landscape, and at most a tenth of the run's time limit. */
export const LANDSCAPE_BUDGET_MS = 5_000;

export interface LandscapeOptions {
  raw(params: Params): unknown;
  f(x: tfType.Tensor1D): tfType.Scalar;
  /** The run maximises: the grid is −f, the loss its records carry (evaluatePlane.ts inRunSign). */
  maximize?: boolean;
  layout: ParamLayout;
  /** The initial parameters (not copied: a large run's landscape is a slice through them). */
  x0: Float32Array;
  names: readonly string[];
  domain?: readonly [number, number][];
  /** The request's choice: true always, false never, undefined for small objectives only. */
  wanted?: boolean;
  seed: number;
  tf: typeof tfType;
  isCancelled(): boolean;
  budgetMs: number;
  /** Runs `body` with the fixed batch of stochastic objectives in place. */
  withFixedBatch<T>(body: () => Promise<T>): Promise<T>;
  /** Identifies the objective's code and data (source hash, name): a grid already computed for it is sent again. */
  cacheKey?: string;
  /** Turns what the objective threw into a sentence for the user. */
  describeError(e: unknown): string;
  emit(m: Omit<LandscapeMessage, 'type' | 'runId'>): void;
}

export interface LandscapeTask {
  /** Computes and sends the first landscape (or a warning). */
  start(): Promise<void>;
  /** Step records of the run (their params extend the path's box). */
  observe(steps: readonly StepRecord[]): void;
  /** The final point: recompute a window the path left. */
  finish(final: ArrayLike<number> | undefined): Promise<void>;
}


/** The last grid computed in this process: re-runs of the same code (Compare, live mode) reuse it. */
let lastGrid: { key: string; grid: Landscape } | undefined;

const linspace = (lo: number, hi: number, n: number): number[] => Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));

/** A square window around x0 (half-width max(1, |x0|∞)) for objectives without a domain. */
function windowAround(x0: readonly number[]): Box {
  const h = Math.max(1, ...x0.map(Math.abs));
  return x0.map((v) => [v - h, v + h]);
}

export function landscapeTask(o: LandscapeOptions): LandscapeTask {
  const n = o.layout.size;
  const small = n >= 1 && n <= TRAJECTORY_MAX_PARAMS;
  const enabled = o.wanted ?? small;
  let box: Box | undefined = small ? (o.domain?.map(([a, b]) => [a, b] as [number, number]) ?? windowAround(Array.from(o.x0))) : undefined;
  // The path's bounding box matters only for a contour or curve (at most 2 parameters): a million pairs would cost seconds.
  const path: Box = small ? Array.from(o.x0, (v): [number, number] => [v, v]) : [];
  let failed = false;

  const grow = (p: ArrayLike<number> | undefined): void => {
    if (!p || p.length !== path.length) return;
    for (let i = 0; i < p.length; i++) {
      const v = p[i];
      if (Number.isFinite(v)) path[i] = [Math.min(path[i][0], v), Math.max(path[i][1], v)];
    }
  };

  /** Evaluates on the fixed batch; undefined when cancelled, and a warning instead of a throw. */
  const compute = async (build: (deadline: number) => Promise<Landscape | undefined>, what: string): Promise<Landscape | undefined> => {
    const t0 = Date.now();
    const key = o.cacheKey === undefined ? undefined : `${o.cacheKey}|${o.seed}|${what}`;
    if (key !== undefined && lastGrid?.key === key) {
      o.emit({ grid: { ...lastGrid.grid, ms: Date.now() - t0 } });
      return lastGrid.grid;
    }
    try {
      const grid = await o.withFixedBatch(() => build(t0 + o.budgetMs));
      if (grid && key !== undefined) lastGrid = { key, grid };
      if (grid) o.emit({ grid: { ...grid, ms: Date.now() - t0 } });
      return grid;
    } catch (e) {
      failed = true;
      const why = e instanceof LandscapeBudgetError
        ? `stopped at the time budget of ${o.budgetMs} ms (${e.message})`
        : o.describeError(e);
      o.emit({ warning: `landscape not drawn: ${why}` });
      return undefined;
    }
  };

  const evaluator = (deadline: number) => inRunSign({ raw: o.raw, f: o.f, layout: o.layout, tf: o.tf, isCancelled: o.isCancelled, deadline }, o.maximize);

  /** Contour or curve over `b` in parameter coordinates. */
  const overBox = (b: Box) => (deadline: number): Promise<Landscape | undefined> => gridOverBox(evaluator(deadline), b, o.names);

  const slice = (deadline: number): Promise<Landscape | undefined> => randomSlice(o, evaluator(deadline), deadline);

  return {
    async start() {
      if (!enabled || n === 0) return;
      if (!box) {
        await compute(slice, JSON.stringify('slice'));
        return;
      }
      const square = box;
      const grid = await compute(async (deadline) => {
        if (!o.domain) box = await firstWindow(o, evaluator, square, deadline);
        return overBox(box ?? square)(deadline);
      }, JSON.stringify(square));
      // A grid reused from an earlier run brings its window (the probe was not run again).
      if (grid) box = [[grid.xs[0], grid.xs[grid.xs.length - 1]], ...(grid.ys ? [[grid.ys[0], grid.ys[grid.ys.length - 1]] as [number, number]] : [])];
    },
    observe(steps) {
      if (box) for (const s of steps) grow(s.params);
    },
    async finish(final) {
      grow(final);
      if (!enabled || !box || o.domain || failed || o.isCancelled()) return;
      const wide = widenedBox(box, path);
      if (!wide) return;
      box = wide;
      await compute(overBox(wide), JSON.stringify(wide));
    },
  };
}

/** Without a domain: a window showing the landscape's minima near x0 (featureWindow.ts); the square around x0 when that fails. */
async function firstWindow(o: LandscapeOptions, evaluator: (deadline: number) => PlaneEvaluator, fallback: Box, gridDeadline: number): Promise<Box> {
  const deadline = Math.min(gridDeadline, Date.now() + o.budgetMs / 4);
  try {
    return await featureWindow(Array.from(o.x0), async (b, size) => {
      const done = await evaluatePlane(evaluator(deadline), boxPlane(b, size, o.layout.size));
      return done && done !== 'not-batchable' ? done.values : undefined;
    });
  } catch {
    // Over budget or the objective threw on the probe: the grid itself will say why, if it fails too.
    return fallback;
  }
}

/** A random filter-normalised slice through x0: 2-D when the objective is fast enough, else 1-D. */
async function randomSlice(o: LandscapeOptions, e: PlaneEvaluator, deadline: number): Promise<Landscape | undefined> {
  const base = Float32Array.from(o.x0);
  const [d1, d2] = randomSliceDirections(o.layout, base, o.seed);
  // Cost of one evaluation at x0, the least of up to three when it is quick (one timing on a busy machine
  // can be a preemption, which would pick the 1-D slice for a fast objective): pick the slice that fits the budget.
  let perEval = Infinity;
  for (let k = 0; k < 3 && (k === 0 || perEval < 20); k++) {
    const t0 = performance.now();
    o.tf.tidy(() => o.f(o.tf.tensor1d(base)).dataSync());
    perEval = Math.min(perEval, Math.max(performance.now() - t0, 0.01));
  }
  const remaining = deadline - Date.now();
  const two = SLICE2D_SIZE * SLICE2D_SIZE * perEval < remaining / 2;
  const size = two ? SLICE2D_SIZE : SLICE1D_SIZE;
  if (!two && size * perEval > remaining) {
    throw new LandscapeBudgetError(`one evaluation takes ${perEval.toFixed(1)} ms; a 1-D slice of ${size} points would not fit`);
  }
  const xs = linspace(-1, 1, size);
  const coords = new Float32Array(two ? 2 * size * size : size);
  if (two) xs.forEach((b, j) => xs.forEach((a, i) => coords.set([a, b], 2 * (j * size + i))));
  else coords.set(xs);
  const done = await evaluatePlane(e, { base, dirs: two ? [d1, d2] : [d1], coords });
  if (!done || done === 'not-batchable') return undefined;
  return two
    ? { kind: 'slice2d', xs, ys: xs, values: rows(done.values, size, size), axes: [...RANDOM_SLICE_AXES] }
    : { kind: 'slice1d', xs, values: rows(done.values, 1, size), axes: [RANDOM_LINE_AXIS] };
}

/**
 * The window to recompute once the path has left `current`: both, padded by a tenth; undefined when the
 * path stayed inside, or blew up (divergence would flatten the picture: the old window stays).
 */
function widenedBox(current: Box, path: Box): Box | undefined {
  const inside = path.every(([lo, hi], i) => lo >= current[i][0] && hi <= current[i][1]);
  if (inside) return undefined;
  const wide = path.map(([lo, hi], i): [number, number] => {
    const a = Math.min(lo, current[i][0]);
    const b = Math.max(hi, current[i][1]);
    const pad = 0.1 * (b - a);
    return [a - pad, b + pad];
  });
  return wide.some(([a, b], i) => b - a > 1e3 * (current[i][1] - current[i][0])) ? undefined : wide;
}

/**
 * Contour (2 parameters) or curve (1) over box `b` in parameter coordinates: batched when the objective
 * allows, else point by point on a coarser grid. Also the dashboard's zoomed windows (landscapeWindow.ts).
 */
export async function gridOverBox(e: PlaneEvaluator, b: Box, names: readonly string[]): Promise<Landscape | undefined> {
  const n = b.length;
  let size = n === 1 ? CURVE_SIZE : CONTOUR_SIZE;
  let done = await evaluatePlane(e, boxPlane(b, size, n), n === 2);
  if (done === 'not-batchable') {
    // Point by point: fewer points keep a live re-run quick.
    size = LOOP_CONTOUR_SIZE;
    done = await evaluatePlane(e, boxPlane(b, size, n));
  }
  if (!done || done === 'not-batchable') return undefined;
  const xs = linspace(b[0][0], b[0][1], size);
  const ys = n === 2 ? linspace(b[1][0], b[1][1], size) : undefined;
  const axes = names.slice(0, n);
  return ys
    ? { kind: 'contour', xs, ys, values: rows(done.values, ys.length, size), axes }
    : { kind: 'curve', xs, values: rows(done.values, 1, size), axes };
}

/** The grid over box `b` (size points per axis, x fastest) in parameter coordinates, as a plane through 0. */
function boxPlane(b: Box, size: number, n: number): Plane {
  const xs = linspace(b[0][0], b[0][1], size);
  const ys = n === 2 ? linspace(b[1][0], b[1][1], size) : undefined;
  const coords = new Float32Array(ys ? 2 * size * size : size);
  if (ys) ys.forEach((y, j) => xs.forEach((x, i) => coords.set([x, y], 2 * (j * size + i))));
  else coords.set(xs);
  const dirs = Array.from({ length: n }, (_, i) => Float32Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  return { base: new Float32Array(n), dirs, coords };
}

function rows(values: Float32Array, count: number, width: number): (number | null)[][] {
  return Array.from({ length: count }, (_, j) => Array.from(values.subarray(j * width, (j + 1) * width), (v) => (Number.isFinite(v) ? v : null)));
}
