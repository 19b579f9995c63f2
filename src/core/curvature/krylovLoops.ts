/**
 * The Krylov basis's loops (./krylovSlots.ts), described once as loop IR: the
 * project's compiler makes both forms from this, WebAssembly SIMD
 * (../wasm/emitLoop.ts) and plain JS (../compiled/loopJs.ts). A loop runs over
 * one slot's `stride` float32 values; every operand is a movable buffer (the
 * slots' one memory at an offset the call gives), so one function serves
 * every slot. Buffer r is 0, rows a₀, a₁, … are 1, 2, …; each operand's
 * element is read once, into the local of its buffer's number.
 */
import { bin, type Accumulator, type Expr, type LoopIR, type Stmt } from '../wasm/loopIR';

/** Rows per call of the grouped loops: r is read and written once per group. */
export const GROUP = 4;

const R = 0;
const row = (j: number) => 1 + j;
const ids = (count: number) => Array.from({ length: count }, (_, id) => id);
const local = (id: number): Expr => ({ op: 'local', id });
const scalar = (index: number): Expr => ({ op: 'scalar', index });
const loads = (buffers: number): Stmt[] => ids(buffers).map((id) => ({ op: 'let', id, value: { op: 'read', buf: id, read: { kind: 'offset', k: 0 } } }));

/** dots(oR, oA₀…): the float64 sums Σᵢ aⱼ[i]·r[i], one per row (a float32 product is exact in float64). */
export function dotsLoop(stride: number, rows: number): LoopIR {
  const reduce = ids(rows).map((j): Stmt => ({ op: 'reduce', acc: j, value: bin('mul', local(row(j)), local(R)) }));
  const accumulators = ids(rows).map((): Accumulator => ({ op: 'sum', into: 'return' }));
  return { size: stride, scalars: [], movable: ids(rows + 1), body: [...loads(rows + 1), ...reduce], accumulators };
}

/** subtract(c₀…, oR, oA₀…): r[i] = fr(r[i] − (((c₀·a₀[i] + c₁·a₁[i]) + c₂·a₂[i]) + …)), rounded once per element and group. */
export function subtractLoop(stride: number, rows: number): LoopIR {
  const terms = ids(rows).map((j) => bin('mul', scalar(j), local(row(j))));
  const update: Stmt = { op: 'store', buf: R, value: bin('sub', local(R), terms.reduce((sum, term) => bin('add', sum, term))) };
  return { size: stride, scalars: ids(rows).map(() => 'f64'), movable: ids(rows + 1), body: [...loads(rows + 1), update], accumulators: [] };
}

/** scale(factor, oR): r[i] = fr(r[i]·factor), padding included (it stays zero). */
export function scaleLoop(stride: number): LoopIR {
  const update: Stmt = { op: 'store', buf: R, value: bin('mul', local(R), scalar(0)) };
  return { size: stride, scalars: ['f64'], movable: [R], body: [...loads(1), update], accumulators: [] };
}

/** Every loop KrylovSlots calls, by name. */
export function krylovLoops(stride: number): Record<KrylovLoopName, LoopIR> {
  return {
    dots1: dotsLoop(stride, 1),
    dotsGroup: dotsLoop(stride, GROUP),
    subtract1: subtractLoop(stride, 1),
    subtractGroup: subtractLoop(stride, GROUP),
    scale: scaleLoop(stride),
  };
}

export type KrylovLoopName = 'dots1' | 'dotsGroup' | 'subtract1' | 'subtractGroup' | 'scale';
