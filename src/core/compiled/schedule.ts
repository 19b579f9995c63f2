/**
 * What fusion (fuseLoops.ts) hands to code generation (generateCode.ts): the
 * buffers a run uses, the index maps its loops read through, and the steps of
 * one run in order. Operands inside loops are loop IR expressions (a literal,
 * a local of the same loop, or a buffer read through an index pattern), so
 * the JS and the WebAssembly form of a loop are both generated from one
 * description.
 */
import type { Expr, ReduceOp } from '../wasm/loopIR';
import type { Standalone } from './standaloneKernels';

export interface BufferSpec {
  /** Float32 elements. */
  readonly size: number;
  /** input/output: the caller's arrays (or copies of them); constant: `init`, captured when traced; temp: scratch. */
  readonly role: 'input' | 'output' | 'constant' | 'temp';
  readonly init?: Float32Array;
}

/** Which element of a reduction's or scatter's buffer element i goes to. */
export type TargetIndex =
  | { readonly kind: 'divide'; readonly d: number }
  | { readonly kind: 'modulo'; readonly m: number }
  /** indexMaps[map][i]. */
  | { readonly kind: 'map'; readonly map: number }
  /** row · rowSize + i % rowSize, row computed in the loop (a segment id read at run time). */
  | { readonly kind: 'row'; readonly row: Expr; readonly rowSize: number };

/** One statement of a fused loop over i, in order. `local` numbers a per-element value (IR { op: 'local' }). */
export type LoopOp =
  /** local = fr(kernel(args)), or its int32 conversion when the kernel's result is an int32 tensor. */
  | { readonly kind: 'elementwise'; readonly local: number; readonly kernel: string; readonly attrs: Readonly<Record<string, unknown>>; readonly args: readonly Expr[]; readonly int32: boolean }
  /** local = table[rowStarts[i] + index · rowSize] (tf.gather with indices computed at run time). */
  | { readonly kind: 'gather'; readonly local: number; readonly table: number; readonly rowStarts: number; readonly index: Expr; readonly rowSize: number }
  /** buffer[i] = local (float32 store). */
  | { readonly kind: 'store'; readonly buf: number; readonly local: number }
  /** squaredNorms[slot] = Σ local² (float64). */
  | { readonly kind: 'sumSquares'; readonly slot: number; readonly local: number }
  /** buffer[0] = (⊕ value) / divideBy, accumulated in float64. */
  | { readonly kind: 'reduceAll'; readonly op: ReduceOp; readonly buf: number; readonly value: Expr; readonly divideBy?: number }
  /** buffer[at(i)] ⊕= value (float32, one buffer element per row), then each of `rows` divided by divideBy. */
  | { readonly kind: 'reduceRows'; readonly op: ReduceOp; readonly buf: number; readonly value: Expr; readonly at: TargetIndex; readonly rows: number; readonly divideBy?: number }
  /** buffer[at(i)] += value after zeroing the buffer (tf.unsortedSegmentSum). */
  | { readonly kind: 'scatterAdd'; readonly buf: number; readonly value: Expr; readonly at: TargetIndex };

export interface Loop {
  /** Elements: i runs over [0, size). */
  readonly size: number;
  readonly ops: readonly LoopOp[];
}

/** A standalone kernel's argument: a buffer, a list of buffers, or a constant. */
export type CallArgument = { readonly buffer: number } | { readonly buffers: readonly number[] } | number | boolean | readonly number[];

export type Step =
  | { readonly kind: 'loop'; readonly loop: Loop }
  /**
   * buffer[i] = value for every i: a view or literal made into a buffer. `counted`: whether it counts
   * in CompiledProgram.loops (copies into the caller's outputs at the end do not).
   */
  | { readonly kind: 'copy'; readonly buf: number; readonly size: number; readonly value: Expr; readonly counted: boolean }
  | { readonly kind: 'fill'; readonly buf: number; readonly value: number }
  | { readonly kind: 'set'; readonly buf: number; readonly from: number }
  /** A kernel of standaloneKernels.ts. */
  | { readonly kind: 'call'; readonly kernel: keyof Standalone; readonly args: readonly CallArgument[] };

export interface Schedule {
  readonly buffers: readonly BufferSpec[];
  /** Index maps (Int32) the loops read through: map k is IR buffer −(k + 1). */
  readonly maps: readonly Int32Array[];
  readonly steps: readonly Step[];
  /** The buffer of each program input and output, in order. */
  readonly inputBuffers: readonly number[];
  readonly outputBuffers: readonly number[];
  /** CompileOptions.squaredNormOf, and the slots of those a loop sums (the others are summed after the run). */
  readonly squaredNormOf: readonly number[];
  readonly normsInLoops: ReadonlySet<number>;
}
