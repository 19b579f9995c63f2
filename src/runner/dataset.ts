/**
 * Mini-batches for stochastic objectives. Each epoch visits every sample
 * exactly once: a fresh seeded permutation per epoch, cut into consecutive
 * batches (the last one smaller when batchSize does not divide the count) —
 * uniform sampling without replacement, as in SGD's textbook pseudocode.
 */
import type * as tfType from '@tensorflow/tfjs';
import { InitError, describe, shapeOfNested } from './initParams';
import { createRng, mixSeed, permutation, type Rng } from './rng';

/** What the objective receives as its second argument: the data's structure, cut to the batch's rows. */
export type Batch = tfType.Tensor | { [name: string]: tfType.Tensor };

export class Dataset {
  readonly size: number;
  readonly batchSize: number;
  readonly stepsPerEpoch: number;
  private readonly columns: Map<string, tfType.Tensor>;
  private readonly single: boolean;
  private readonly seed: number;
  private epoch = -1;
  private order: number[] = [];

  constructor(columns: Map<string, tfType.Tensor>, single: boolean, batchSize: number, seed: number) {
    this.columns = columns;
    this.single = single;
    this.size = [...columns.values()][0].shape[0];
    this.batchSize = batchSize;
    this.stepsPerEpoch = Math.ceil(this.size / batchSize);
    this.seed = seed;
  }

  /** Sample indices used by update `step`. */
  indices(step: number): number[] {
    const epoch = Math.floor(step / this.stepsPerEpoch);
    if (epoch !== this.epoch) {
      this.epoch = epoch;
      this.order = permutation(this.size, createRng(mixSeed(this.seed, epoch)));
    }
    const b = step % this.stepsPerEpoch;
    return this.order.slice(b * this.batchSize, (b + 1) * this.batchSize);
  }

  /** The batch for update `step` (caller disposes). */
  batch(step: number, tf: typeof tfType): Batch {
    return this.rows(this.indices(step), tf);
  }

  /** Every sample (final point, curvature): new tensors the caller disposes. */
  all(): Batch {
    if (this.single) return [...this.columns.values()][0].clone();
    const out: { [name: string]: tfType.Tensor } = {};
    for (const [name, t] of this.columns) out[name] = t.clone();
    return out;
  }

  private rows(idx: number[], tf: typeof tfType): Batch {
    return tf.tidy(() => {
      const ids = tf.tensor1d(idx, 'int32');
      if (this.single) return tf.gather([...this.columns.values()][0], ids);
      const out: { [name: string]: tfType.Tensor } = {};
      for (const [name, t] of this.columns) out[name] = tf.gather(t, ids);
      return out;
    });
  }

  /** Every column as host arrays (the plain-JS path gathers batch rows itself); `single` as the objective sees it. */
  hostColumns(): { single: boolean; columns: HostColumn[] } {
    const columns = [...this.columns].map(([name, t]) => ({ name, values: Float32Array.from(t.dataSync()), rowShape: t.shape.slice(1), dtype: t.dtype }));
    return { single: this.single, columns };
  }

  dispose(): void {
    for (const t of this.columns.values()) t.dispose();
  }
}

export interface HostColumn {
  readonly name: string;
  readonly values: Float32Array;
  readonly rowShape: readonly number[];
  readonly dtype: tfType.DataType;
}

export function disposeBatch(b: Batch): void {
  if (b && typeof (b as tfType.Tensor).dispose === 'function') (b as tfType.Tensor).dispose();
  else for (const t of Object.values(b)) t.dispose();
}

function column(value: unknown, where: string, tf: typeof tfType): tfType.Tensor {
  if (value instanceof tf.Tensor) {
    if (value.rank === 0) throw new InitError(`${where} is a scalar tensor; data needs one row per sample`);
    return value.clone();
  }
  const shape = shapeOfNested(value, where);
  if (shape.length === 0) throw new InitError(`${where} is a single number; data needs one row per sample`);
  return tf.tensor(value as number[], shape, 'float32');
}

/**
 * Validates `data` (arrays, tensors, a record of them, or `(rng) => ...`) and
 * `batchSize` (defaults to the full data set: deterministic full-batch steps).
 */
export function loadDataset(data: unknown, batchSize: unknown, seed: number, rng: Rng, tf: typeof tfType): Dataset {
  let value = data;
  if (typeof value === 'function') {
    try {
      value = (value as (r: Rng) => unknown)(rng);
    } catch (e) {
      throw new InitError(`data(rng) threw: ${(e as Error).message}`);
    }
  }
  const columns = new Map<string, tfType.Tensor>();
  const isRecord = typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof tf.Tensor);
  try {
    if (isRecord) {
      for (const [name, v] of Object.entries(value as Record<string, unknown>)) columns.set(name, column(v, `data.${name}`, tf));
      if (columns.size === 0) throw new InitError('data is an empty record');
    } else if (value === undefined || value === null || typeof value !== 'object') {
      throw new InitError(`data is ${describe(value)}; expected arrays (one row per sample), tensors, or a record of them`);
    } else {
      columns.set('', column(value, 'data', tf));
    }
    const sizes = [...columns].map(([name, t]) => [name, t.shape[0]] as const);
    const n = sizes[0][1];
    const odd = sizes.find(([, s]) => s !== n);
    if (odd) throw new InitError(`data columns differ in length: data.${sizes[0][0]} has ${n} rows but data.${odd[0]} has ${odd[1]}`);
    const b = batchSize ?? n;
    if (typeof b !== 'number' || !Number.isInteger(b) || b < 1) throw new InitError(`batchSize must be a positive integer, got ${JSON.stringify(batchSize)}`);
    if (b > n) throw new InitError(`batchSize ${b} is larger than the data set (${n} samples)`);
    return new Dataset(columns, !isRecord, b, seed);
  } catch (e) {
    for (const t of columns.values()) t.dispose();
    throw e;
  }
}
