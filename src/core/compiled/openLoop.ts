/**
 * A loop the fuser (loopFuser.ts) still adds kernels to, and the chain of loops open before it: what each
 * computes, what runs before it, and the order they close and run in.
 */
import type { ValueId } from './program';
import type { LoopOp, Step } from './schedule';

/** A loop still taking kernels. */
export interface OpenLoop {
  readonly size: number;
  /** The nodes computed in this loop. */
  readonly members: Set<number>;
  /** Steps that do not depend on this loop, emitted before it when it closes. */
  readonly before: Step[];
  readonly ops: LoopOp[];
  /** The values computed per element here (by root) and their locals. */
  readonly locals: Map<ValueId, number>;
  readonly accumulating: Set<ValueId>;
  /** Whether the loop sums a squared norm already (its WebAssembly form returns at most one). */
  sumsSquares: boolean;
  /** The loop open among the steps before this one (kernels independent of this loop fuse there), closed first when this one closes. */
  inner: OpenLoop | undefined;
  /** Buffers some of its locals are stored into when it closes, chosen while it was open (a later loop reads them). */
  readonly storeInto: Map<ValueId, number>;
}

/** An empty loop over `size` elements. */
export function newLoop(size: number): OpenLoop {
  return { size, members: new Set(), before: [], ops: [], locals: new Map(), accumulating: new Set(), sumsSquares: false, inner: undefined, storeInto: new Map() };
}

/** Whether `earlier` is open before `loop` (in its chain of inner loops), so it closes and runs first. */
export function isBefore(earlier: OpenLoop, loop: OpenLoop): boolean {
  for (let inner = loop.inner; inner; inner = inner.inner) if (inner === earlier) return true;
  return false;
}
