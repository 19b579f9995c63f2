/**
 * Squared norms per named parameter tensor (a block of the flat vector) and the dot products the step-size
 * gauge needs, each in one pass over plain arrays that also copies what the next pass needs. Sums in float64.
 */
import type { Block } from './curvature/blockCurvature';

/** Σ v² over each block into `out` (length blocks.length); copies v into `copy` when given (same pass). */
export function blockSquares(v: Float32Array, blocks: readonly Block[], out: Float64Array, copy?: Float32Array): void {
  for (let k = 0; k < blocks.length; k++) {
    const { offset, size } = blocks[k];
    let sq = 0;
    for (let i = offset; i < offset + size; i++) {
      const x = v[i];
      sq += x * x;
      if (copy) copy[i] = x;
    }
    out[k] = sq;
  }
}

/** Where stepSquares writes: per-block sums, and optionally the step itself and g·d. */
export interface StepSquaresOut {
  readonly params: Float64Array;
  readonly updates: Float64Array;
  /** Receives d = after − before (the gauge's step). */
  readonly step?: Float32Array;
  /** The gradient at `before`: the pass returns g·d. */
  readonly grad?: Float32Array;
  /** Copy `after` into `before` in the same pass (the next measured step starts there). */
  readonly keepAfter?: boolean;
}

/** One pass over an update from `before` to `after`: Σ before² and Σ (after − before)² per block; returns g·d (0 without grad). */
export function stepSquares(before: Float32Array, after: Float32Array, blocks: readonly Block[], out: StepSquaresOut): number {
  const { grad, step, keepAfter } = out;
  let dot = 0;
  for (let k = 0; k < blocks.length; k++) {
    const { offset, size } = blocks[k];
    let p = 0;
    let u = 0;
    for (let i = offset; i < offset + size; i++) {
      const x = before[i];
      const d = after[i] - x;
      p += x * x;
      u += d * d;
      if (grad) dot += grad[i] * d;
      if (step) step[i] = d;
      if (keepAfter) before[i] = after[i];
    }
    out.params[k] = p;
    out.updates[k] = u;
  }
  return dot;
}

/** u·v in float64. */
export function dotArrays(u: Float32Array, v: Float32Array): number {
  let s = 0;
  for (let i = 0; i < u.length; i++) s += u[i] * v[i];
  return s;
}
