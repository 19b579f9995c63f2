/**
 * The loss at many points x = base + a·d1 (+ b·d2) of a line or plane, for
 * the landscape. First tried as ONE call of the user's objective on a batch:
 * every parameter tensor gets a trailing batch axis (shape [...shape, N]), which
 * elementwise objectives (most two-parameter ones, e.g. `p.gather(0)` and
 * arithmetic) turn into N losses at once. The batched answer is used only
 * when it has N values and agrees with point-by-point evaluation at three
 * points; otherwise the points are evaluated one by one, in chunks with one
 * read-back each, yielding between chunks so a cancel is seen.
 */
import type * as tfType from '@tensorflow/tfjs';
import { minimizedObjective } from '../core/maximize';
import type { ParamLayout, Params } from '../core/paramLayout';

export interface PlaneEvaluator {
  /** The user's objective on parameters shaped as the user wrote them (a batch axis may trail). */
  raw(params: Params): unknown;
  /** The checked scalar objective of the flat parameters. */
  f(x: tfType.Tensor1D): tfType.Scalar;
  layout: ParamLayout;
  tf: typeof tfType;
  isCancelled(): boolean;
  /** Date.now() past which evaluation stops with LandscapeBudgetError. */
  deadline: number;
}

/**
 * `e` in a run's sign: the landscape of a maximised run is −f, the loss its records carry
 * (../core/maximize.ts), so the iterate sits on the surface drawn. The one place grids take that sign.
 */
export function inRunSign(e: PlaneEvaluator, maximize: boolean | undefined): PlaneEvaluator {
  if (!maximize) return e;
  const { tf } = e;
  return {
    ...e,
    raw: (params) => {
      const y = e.raw(params);
      return y instanceof tf.Tensor ? tf.neg(y) : typeof y === 'number' ? -y : y;
    },
    f: minimizedObjective(e.f, true),
  };
}

export interface Plane {
  base: Float32Array;
  /** One or two directions, each of the layout's size. */
  dirs: Float32Array[];
  /** Point k is at coordinates coords[k·dirs.length + i] along dirs[i]. */
  coords: Float32Array;
}

export class LandscapeBudgetError extends Error {}

class NotBatchable extends Error {}

/** Batched evaluation holds n × N numbers at once; above this it is not tried. */
const BATCH_LIMIT = 4_000_000;
/** Point-by-point chunks: at most this many points or n × points numbers, sized to take about CHUNK_MS. */
const CHUNK_POINTS = 256;
const CHUNK_NUMBERS = 1_000_000;
const CHUNK_MS = 20;

export interface PlaneValues {
  values: Float32Array;
  batched: boolean;
}

/**
 * Losses at every point of the plane; undefined when cancelled; 'not-batchable'
 * when `batchedOnly` and the objective needs point-by-point evaluation (the
 * caller may then ask for fewer points). Throws what the objective throws.
 */
export async function evaluatePlane(e: PlaneEvaluator, plane: Plane, batchedOnly = false): Promise<PlaneValues | undefined | 'not-batchable'> {
  const { tf } = e;
  const n = e.layout.size;
  const k = plane.dirs.length;
  const count = plane.coords.length / k;
  const points = (from: number, to: number): tfType.Tensor2D => tf.tidy(() => {
    const c = tf.tensor2d(plane.coords.subarray(from * k, to * k), [to - from, k]);
    const d = tf.tensor2d(concatDirs(plane.dirs, n), [k, n]);
    return tf.add(tf.matMul(c, d), tf.tensor1d(plane.base)) as tfType.Tensor2D;
  });
  const oneByOne = (x: tfType.Tensor2D): tfType.Tensor1D => tf.tidy(() => tf.stack(tf.unstack(x).map((row) => e.f(row as tfType.Tensor1D))) as tfType.Tensor1D);

  if (n * count <= BATCH_LIMIT) {
    const batched = await tryBatched(e, points(0, count), oneByOne);
    if (batched) return { values: batched, batched: true };
  }
  if (batchedOnly) return 'not-batchable';
  const values = new Float32Array(count);
  const most = Math.max(1, Math.min(CHUNK_POINTS, Math.floor(CHUNK_NUMBERS / n)));
  // Starts small and grows to about CHUNK_MS per chunk, so a cancel waits at most about that long.
  let chunk = Math.min(8, most);
  for (let from = 0; from < count; ) {
    const t0 = performance.now();
    if (e.isCancelled()) return undefined;
    if (Date.now() > e.deadline) throw new LandscapeBudgetError(`${from} of ${count} points evaluated`);
    const to = Math.min(count, from + chunk);
    const x = points(from, to);
    let losses: tfType.Tensor1D;
    try {
      losses = oneByOne(x);
    } finally {
      x.dispose();
    }
    values.set(await losses.data(), from);
    losses.dispose();
    const perPoint = Math.max(performance.now() - t0, 0.01) / (to - from);
    chunk = Math.max(1, Math.min(most, Math.floor(CHUNK_MS / perPoint)));
    from = to;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { values, batched: false };
}

function concatDirs(dirs: Float32Array[], n: number): Float32Array {
  const out = new Float32Array(dirs.length * n);
  dirs.forEach((d, i) => out.set(d, i * n));
  return out;
}

/** The user's objective on all points at once (x disposed here), or undefined when that is not the right answer. */
async function tryBatched(
  e: PlaneEvaluator, x: tfType.Tensor2D, oneByOne: (x: tfType.Tensor2D) => tfType.Tensor1D,
): Promise<Float32Array | undefined> {
  const { tf, layout } = e;
  const count = x.shape[0];
  let out: tfType.Tensor1D | undefined;
  let check: tfType.Tensor1D | undefined;
  try {
    out = tf.tidy(() => {
      const columns = tf.transpose(x); // [n, N]
      const params: Params = layout.single
        ? tf.reshape(columns, [...layout.slots[0].shape, count])
        : Object.fromEntries(layout.slots.map((s) => [s.name, tf.reshape(tf.slice(columns, [s.offset, 0], [s.size, count]), [...s.shape, count])]));
      const y = e.raw(params);
      if (!(y instanceof tf.Tensor) || y.size !== count) throw new NotBatchable();
      return tf.reshape(tf.cast(y, 'float32'), [count]) as tfType.Tensor1D;
    });
    const probe = [...new Set([0, count >> 1, count - 1])];
    check = tf.tidy(() => oneByOne(tf.gather(x, probe) as tfType.Tensor2D));
    const [values, expected] = await Promise.all([out.data() as Promise<Float32Array>, check.data()]);
    const agrees = probe.every((i, j) => close(values[i], expected[j]));
    return agrees ? values : undefined;
  } catch {
    // Not elementwise in a trailing axis (a matMul, a reduction, a shape check): evaluate point by point.
    return undefined;
  } finally {
    x.dispose();
    out?.dispose();
    check?.dispose();
  }
}

function close(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= 1e-4 * Math.max(1, Math.abs(a), Math.abs(b));
}
