import * as tf from '@tensorflow/tfjs';

/**
 * Parameters as the user writes them: one tensor, or a record of named tensors
 * (`{w1, b1, w2, b2}`). The core works on one flat float32 vector; this layout
 * converts between the two. Every optimizer here is elementwise apart from
 * global-norm clipping, L-BFGS and Newton (which torch also runs on a flat
 * view), so flattening changes no number and lets one fused op chain update
 * every parameter at once.
 */
export type Params = tf.Tensor | { [name: string]: tf.Tensor };

export interface ParamSlot {
  /** '' for a single unnamed tensor. */
  readonly name: string;
  readonly shape: readonly number[];
  readonly offset: number;
  readonly size: number;
}

export class ParamLayout {
  readonly slots: readonly ParamSlot[];
  readonly size: number;
  /** True when the user's parameters are one tensor rather than a record. */
  readonly single: boolean;

  private constructor(slots: ParamSlot[], single: boolean) {
    this.slots = slots;
    this.single = single;
    this.size = slots.reduce((n, s) => n + s.size, 0);
  }

  static of(params: Params): ParamLayout {
    if (params instanceof tf.Tensor) {
      return new ParamLayout([{ name: '', shape: params.shape, offset: 0, size: params.size }], true);
    }
    const slots: ParamSlot[] = [];
    let offset = 0;
    for (const name of Object.keys(params)) {
      const t = params[name];
      slots.push({ name, shape: t.shape, offset, size: t.size });
      offset += t.size;
    }
    return new ParamLayout(slots, false);
  }

  /** The layout of parameters known by their shapes (one unnamed tensor, or named ones in order). */
  static ofShapes(shapes: { readonly single: boolean; readonly entries: readonly { readonly name: string; readonly shape: readonly number[] }[] }): ParamLayout {
    let offset = 0;
    const slots = shapes.entries.map(({ name, shape }) => {
      const size = shape.reduce((a, b) => a * b, 1);
      offset += size;
      return { name: shapes.single ? '' : name, shape, offset: offset - size, size };
    });
    return new ParamLayout(slots, shapes.single);
  }

  /** One flat float32 vector holding every parameter (caller disposes). */
  flatten(params: Params): tf.Tensor1D {
    return tf.tidy(() => {
      if (params instanceof tf.Tensor) return params.toFloat().reshape([-1]) as tf.Tensor1D;
      const parts = this.slots.map((s) => params[s.name].toFloat().reshape([-1]));
      return (parts.length === 1 ? parts[0] : tf.concat(parts)) as tf.Tensor1D;
    });
  }

  /** Views of a flat vector shaped as the user's parameters (caller disposes). */
  unflatten(flat: tf.Tensor1D): Params {
    // A vector as [-1], not [n]: the same kernel at every length, so a long vector's program is traced at a small one (compiled/sizeGeneric.ts).
    if (this.single) return flat.reshape(this.slots[0].shape.length === 1 ? [-1] : (this.slots[0].shape as number[]));
    const out: { [name: string]: tf.Tensor } = {};
    for (const s of this.slots) out[s.name] = flat.slice(s.offset, s.size).reshape(s.shape as number[]);
    return out;
  }

  /** Slices a flat host-side array by parameter name (for per-parameter state views). */
  split(values: ArrayLike<number>): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    for (const s of this.slots) out[s.name] = Array.from({ length: s.size }, (_, i) => values[s.offset + i]);
    return out;
  }
}

export function disposeParams(params: Params): void {
  if (params instanceof tf.Tensor) params.dispose();
  else for (const t of Object.values(params)) t.dispose();
}
