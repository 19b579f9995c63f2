/**
 * A slice that explains a path (src/protocol/pathSlice.ts): the plane through
 * the first run's final point spanned by the top two PCA directions of its
 * recorded path, or by the top two Hessian eigenvectors there
 * (pathDirections.ts), the loss on a SLICE2D_SIZE² grid covering every run's
 * projected path, and those projections. 'random' is the run's own random
 * slice through x0, its directions rebuilt from the run's seed
 * (filterNormalizedDirection.ts), over [-1, 1]² as the run drew it or over a
 * zoomed box (a one-axis box: the run's 1-D slice along its first direction). Runs of another objective or size, or no longer in the store,
 * are listed as missing.
 */
import type * as tfType from '@tensorflow/tfjs';
import { hessianOperator, onArrays } from '../core/curvature/hvp';
import type { PathSlice, PathSliceRequest, ProjectedPath } from '../protocol/pathSlice';
import { evaluatePlane, LandscapeBudgetError } from './evaluatePlane';
import { randomSliceDirections } from './filterNormalizedDirection';
import { RANDOM_LINE_AXIS, RANDOM_SLICE_AXES, SLICE1D_SIZE, SLICE2D_SIZE } from './landscape';
import { withObjective, type ObjectiveAtHand } from './landscapeWindow';
import { hessianDirections, pcaDirections, projectOnPlane, type PlaneDirections } from './pathDirections';
import { storedPath, type StoredPath } from './pathStore';
import { createRng, mixSeed } from './rng';

/** Subspace iterations for the Hessian directions (two products each). */
const HESSIAN_ITERATIONS = 40;
/** Padding around the paths' box, as a share of its width. */
const PAD = 0.15;

export type PathSliceResult = { slice: PathSlice } | { warning: string };

export async function pathSliceGrid(req: Pick<PathSliceRequest, 'method' | 'runIds' | 'box'>, tf: typeof tfType, isCancelled: () => boolean = () => false): Promise<PathSliceResult> {
  const [firstId] = req.runIds;
  const first = storedPath(firstId);
  if (!first) return { warning: `no recorded path for ${firstId}: the runner records the paths of runs of more than 2 parameters it ran since it started; run it again` };
  const same = (p: StoredPath | undefined): p is StoredPath => p !== undefined && p.n === first.n && p.ref.file === first.ref.file && p.ref.objective === first.ref.objective;
  const runs = req.runIds.map((runId) => ({ runId, path: storedPath(runId) }));
  const found = runs.filter((r): r is { runId: string; path: StoredPath } => same(r.path));
  const missing = runs.filter((r) => !same(r.path)).map((r) => r.runId);
  const result = await withObjective(first.ref, tf, isCancelled, async (at): Promise<PathSliceResult> => {
    const { evaluator } = at;
    const { origin, directions } = planeOf(req.method, first, at, tf);
    if (!directions) return { warning: 'the path did not move: it has no principal directions' };
    const paths = found.map(({ runId, path }) => ({ runId, points: projectOnPlane(path.points, origin, directions.dirs), steps: path.steps }));
    // A one-axis box on the random slice: the run's 1-D slice (along its first direction), zoomed.
    if (req.method === 'random' && req.box?.length === 1) return lineSlice(evaluator, origin, directions.dirs[0], req.box[0], paths, missing);
    // A zoomed window's box when asked (same plane, same paths), else the paths' span (the random slice: [-1, 1] as the run drew it).
    const unzoomed = (k: number): number[] => (req.method === 'random' ? axisBetween(-1, 1) : axisOver(paths.flatMap((p) => p.points.map((q) => q[k]))));
    const [xs, ys] = [0, 1].map((k) => (req.box?.[k] ? axisBetween(req.box[k][0], req.box[k][1]) : unzoomed(k)));
    const coords = new Float32Array(2 * SLICE2D_SIZE * SLICE2D_SIZE);
    ys.forEach((b, j) => xs.forEach((a, i) => coords.set([a, b], 2 * (j * SLICE2D_SIZE + i))));
    try {
      const done = await evaluatePlane(evaluator, { base: origin, dirs: [...directions.dirs], coords });
      if (!done || done === 'not-batchable') return { warning: 'slice not drawn: cancelled' };
      const values = ys.map((_, j) => Array.from(done.values.subarray(j * SLICE2D_SIZE, (j + 1) * SLICE2D_SIZE), (v) => (Number.isFinite(v) ? v : null)));
      const grid = { kind: 'slice2d' as const, xs, ys, values, axes: axisTitles(req.method, directions) };
      return { slice: { method: req.method, grid, paths, missing, ...pick(directions) } };
    } catch (e) {
      if (e instanceof LandscapeBudgetError) return { warning: `slice not drawn: stopped at the time budget (${e.message})` };
      throw e;
    }
  });
  return 'warning' in result ? { warning: result.warning } : result;
}

/** The loss along `dir` through `origin` at SLICE1D_SIZE points over [lo, hi] (kind 'slice1d', as the run's own 1-D slice). */
async function lineSlice(evaluator: ObjectiveAtHand['evaluator'], origin: Float32Array, dir: Float32Array, [lo, hi]: [number, number], paths: ProjectedPath[], missing: string[]): Promise<PathSliceResult> {
  const xs = Array.from({ length: SLICE1D_SIZE }, (_, i) => lo + ((hi - lo) * i) / (SLICE1D_SIZE - 1));
  try {
    const done = await evaluatePlane(evaluator, { base: origin, dirs: [dir], coords: Float32Array.from(xs) });
    if (!done || done === 'not-batchable') return { warning: 'slice not drawn: cancelled' };
    const values = [Array.from(done.values, (v) => (Number.isFinite(v) ? v : null))];
    return { slice: { method: 'random', grid: { kind: 'slice1d', xs, values, axes: [RANDOM_LINE_AXIS] }, paths, missing } };
  } catch (e) {
    if (e instanceof LandscapeBudgetError) return { warning: `slice not drawn: stopped at the time budget (${e.message})` };
    throw e;
  }
}

/** The plane's origin and directions: x0 and the run's random directions, or the final point and its PCA / Hessian directions. */
function planeOf(method: PathSliceRequest['method'], first: StoredPath, at: ObjectiveAtHand, tf: typeof tfType): { origin: Float32Array; directions: PlaneDirections | undefined } {
  if (method === 'random') {
    const x0 = at.prepared.x0Values;
    return { origin: x0, directions: { dirs: randomSliceDirections(at.prepared.layout, x0, first.ref.seed) } };
  }
  const origin = first.points[first.points.length - 1];
  return { origin, directions: method === 'pca' ? pcaDirections(first.points, origin) : hessianAt(at.evaluator.f, origin, first.ref.seed, tf) };
}

/** The two eigenvectors of largest |λ| of the Hessian at `at` (the objective's first batch). */
function hessianAt(f: (x: tfType.Tensor1D) => tfType.Scalar, at: Float32Array, seed: number, tf: typeof tfType): PlaneDirections {
  const x = tf.tensor1d(at);
  try {
    return hessianDirections(onArrays(hessianOperator(f, x)), at.length, createRng(mixSeed(seed, 7002)), HESSIAN_ITERATIONS);
  } finally {
    x.dispose();
  }
}

/** SLICE2D_SIZE values over the span of `values` (and 0, the origin), padded; ±1 when they do not spread. */
function axisOver(values: readonly number[]): number[] {
  const finite = values.filter(Number.isFinite);
  let lo = Math.min(0, ...finite), hi = Math.max(0, ...finite);
  const width = hi - lo;
  if (!(width > 1e-12)) [lo, hi] = [-1, 1];
  else [lo, hi] = [lo - PAD * width, hi + PAD * width];
  return axisBetween(lo, hi);
}

const axisBetween = (lo: number, hi: number): number[] => Array.from({ length: SLICE2D_SIZE }, (_, i) => lo + ((hi - lo) * i) / (SLICE2D_SIZE - 1));

function axisTitles(method: PathSlice['method'], d: PlaneDirections): [string, string] {
  const percent = (v: number | undefined): string => (v === undefined ? '' : ` (${(100 * v).toFixed(1)} %)`);
  const lambda = (v: number | undefined): string => (v === undefined ? '' : ` (λ = ${v.toPrecision(3)})`);
  if (method === 'random') return [...RANDOM_SLICE_AXES];
  return method === 'pca'
    ? [`PC1${percent(d.explained?.[0])}`, `PC2${percent(d.explained?.[1])}`]
    : [`Hessian v₁${lambda(d.eigenvalues?.[0])}`, `Hessian v₂${lambda(d.eigenvalues?.[1])}`];
}

function pick(d: PlaneDirections): Pick<PathSlice, 'explained' | 'eigenvalues'> {
  return { ...(d.explained ? { explained: d.explained } : {}), ...(d.eigenvalues ? { eigenvalues: d.eigenvalues } : {}) };
}
