import * as tf from '@tensorflow/tfjs';

/**
 * Tensors of the loop's arrays, kept while the array still holds what the tensor holds, so an objective or
 * optimizer on tensors gets its parameters and gradient without a copy per step (../minimize.ts's
 * adapters). Only a write made here (`set`) creates an entry: the adapters write those arrays, and
 * whoever else writes one must `forget` it first (a gradient transform does). Every other array gets a
 * fresh tensor per use (`use`), disposed after it.
 */
export class TensorCopies<T extends tf.Tensor = tf.Tensor1D> {
  private readonly byArray = new Map<Float32Array, T>();

  /** `shape`: that of every tensor here when the arrays are not vectors (a sweep's K×n rows: ../sweepRows.ts). */
  constructor(private readonly shape?: readonly number[]) {}

  /** `values` was just written from `tensor` (which this now owns): later uses of the array get it. */
  set(values: Float32Array, tensor: T): void {
    const old = this.byArray.get(values);
    if (old === tensor) return;
    old?.dispose();
    // One tensor under two arrays would be disposed twice: the second array gets a clone (no data copy).
    const shared = [...this.byArray.values()].includes(tensor);
    this.byArray.set(values, shared ? (tensor.clone() as T) : tensor);
  }

  /** `values` is about to be written elsewhere: its tensor no longer matches it. */
  forget(values: Float32Array): void {
    this.byArray.get(values)?.dispose();
    this.byArray.delete(values);
  }

  /** The tensor kept for `values`, or a copy made for this call only; fn must not keep it. */
  use<R>(values: Float32Array, fn: (tensor: T) => R): R {
    const kept = this.byArray.get(values);
    if (kept) return fn(kept);
    // A copy: the cpu backend would otherwise keep the array itself, which the loop overwrites.
    const fresh = (this.shape ? tf.tensor(values.slice(), [...this.shape]) : tf.tensor1d(values.slice())) as T;
    let result: R | undefined;
    try {
      result = fn(fresh);
      return result;
    } finally {
      if (result instanceof Promise) result.finally(() => fresh.dispose()).catch(() => undefined);
      else fresh.dispose();
    }
  }

  dispose(): void {
    for (const tensor of this.byArray.values()) tensor.dispose();
    this.byArray.clear();
  }
}
