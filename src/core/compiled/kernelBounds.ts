/**
 * Positions a kernel is about to index, checked against its input's shape before it runs. An objective
 * written for one length may hard-code positions (a slice to n − 1, a gather of entry n − 1); traced at
 * a small length (sizeGeneric.ts) those are past the input, and TensorFlow.js's wasm kernels would read
 * or write outside their memory (a trap that leaves the backend unusable, or garbage). Throwing here
 * makes the small-length trace fail with the reason, and the caller traces at full length instead.
 */
import type * as tf from '@tensorflow/tfjs';

/** Reads a tensor's values without counting as the objective's read (Recording.read). */
export type IndexReader = (t: tf.Tensor) => ArrayLike<number>;

/** Throws a RangeError when kernel `name` would index outside one of its inputs; other kernels pass. */
export function checkKernelBounds(name: string, inputs: Record<string, tf.Tensor | undefined | null>, attrs: Record<string, unknown> | undefined, read: IndexReader): void {
  if (name === 'Slice') checkSlice(inputs.x ?? undefined, attrs);
  else if (name === 'GatherV2') checkGather(inputs.x ?? undefined, inputs.indices ?? undefined, attrs, read);
  else if (name === 'GatherNd') checkTuples('gatherND', inputs.params?.shape, inputs.indices ?? undefined, read);
  else if (name === 'TensorScatterUpdate') checkTuples('tensorScatterUpdate', inputs.tensor?.shape, inputs.indices ?? undefined, read);
  else if (name === 'ScatterNd') checkTuples('scatterND', attrs?.shape as readonly number[] | undefined, inputs.indices ?? undefined, read);
}

function checkSlice(x: tf.Tensor | undefined, attrs: Record<string, unknown> | undefined): void {
  // A rank-1 slice may carry plain numbers.
  const asList = (v: unknown): unknown[] | undefined => (typeof v === 'number' ? [v] : Array.isArray(v) ? v : undefined);
  const begin = asList(attrs?.begin);
  const size = asList(attrs?.size);
  if (!x || !begin || !size) return;
  x.shape.forEach((extent, axis) => {
    const from = Number(begin[axis] ?? 0);
    const count = Number(size[axis] ?? -1);
    if (from < 0 || from > extent || (count !== -1 && from + count > extent)) {
      throw new RangeError(`slice of [${begin.join(', ')}] + [${size.join(', ')}] is outside a tensor of shape [${x.shape.join(', ')}]`);
    }
  });
}

function checkGather(x: tf.Tensor | undefined, indices: tf.Tensor | undefined, attrs: Record<string, unknown> | undefined, read: IndexReader): void {
  if (!x || !indices || x.rank === 0) return;
  const axis = Number(attrs?.axis ?? 0);
  const extent = x.shape[axis < 0 ? axis + x.rank : axis];
  if (extent === undefined) return;
  const values = read(indices);
  for (let i = 0; i < values.length; i++) {
    if (!(values[i] >= 0 && values[i] < extent)) {
      throw new RangeError(`gather of index ${values[i]} is outside axis ${axis} of a tensor of shape [${x.shape.join(', ')}]`);
    }
  }
}

/** Index tuples (the indices' last axis) into the leading axes of `shape`. */
function checkTuples(op: string, shape: readonly number[] | undefined, indices: tf.Tensor | undefined, read: IndexReader): void {
  if (!shape || !indices || indices.rank === 0) return;
  const width = indices.shape[indices.rank - 1];
  if (width > shape.length) return;
  const values = read(indices);
  for (let i = 0; i < values.length; i++) {
    const extent = shape[i % width];
    if (!(values[i] >= 0 && values[i] < extent)) {
      throw new RangeError(`${op} index ${values[i]} is outside axis ${i % width} of shape [${shape.join(', ')}]`);
    }
  }
}
