/**
 * A reference interpreter of LoopIR in plain JS: the semantics loopIR.ts
 * promises (float64 arithmetic, Math.fround for `fr`, Float32Array stores,
 * float64 accumulators combined in index order), so tests can hold the
 * WebAssembly emitter to it. Written from loopIR.ts's comments, not from
 * emitLoop.ts, so the two can disagree.
 */
import type { Comparison, Expr, LoopIR, Read, ReduceOp } from '../../../src/core/wasm/loopIR';

/** Buffers by IR id: float32 data buffers and Int32 index maps (general reads). */
export type LoopBuffers = ReadonlyMap<number, Float32Array | Int32Array>;

export interface InterpretedLoop {
  /** Each accumulator's final float64 value (before a divideBy and the float32 store). */
  readonly accumulators: readonly number[];
  /** Σ|term| per accumulator: the scale of a sum's round-off when the terms are added in another order. */
  readonly magnitudes: readonly number[];
  /** The function's result: the last accumulator `into: 'return'`, if any. */
  readonly returned: number | undefined;
}

const COMPARE: Record<Comparison, (a: number, b: number) => boolean> = {
  eq: (a, b) => a === b, ne: (a, b) => a !== b, lt: (a, b) => a < b, gt: (a, b) => a > b, le: (a, b) => a <= b, ge: (a, b) => a >= b,
};

const COMBINE: Record<ReduceOp, (acc: number, x: number) => number> = {
  sum: (acc, x) => acc + x, prod: (acc, x) => acc * x, max: (acc, x) => Math.max(acc, x), min: (acc, x) => Math.min(acc, x),
};

const INITIAL: Record<ReduceOp, number> = { sum: 0, max: -Infinity, min: Infinity, prod: 1 };

function buffer(buffers: LoopBuffers, id: number): Float32Array | Int32Array {
  const b = buffers.get(id);
  if (!b) throw new Error(`buffer ${id} is missing`);
  return b;
}

function element(a: Float32Array | Int32Array, at: number): number {
  if (!Number.isInteger(at) || at < 0 || at >= a.length) throw new RangeError(`read at ${at} of ${a.length} elements`);
  return a[at];
}

function readAt(buffers: LoopBuffers, buf: number, read: Read, i: number): number {
  const b = buffer(buffers, buf);
  switch (read.kind) {
    case 'offset':
      return element(b, i + read.k);
    case 'window':
      return i >= read.lo && i < read.hi ? element(b, i + read.k) : read.pad;
    case 'modulo':
      return element(b, i % read.m);
    case 'divide':
      return element(b, (i / read.d) | 0);
    case 'constant':
      return element(b, read.at);
    case 'general': {
      const at = element(buffer(buffers, read.map), i);
      return read.padded && at < 0 ? read.pad : element(b, at);
    }
  }
}

/** Runs `ir` on `buffers` (modified in place: stores and reductions into buffers) with the given scalar arguments. */
export function interpretLoop(ir: LoopIR, buffers: LoopBuffers, scalars: readonly number[] = []): InterpretedLoop {
  const locals = new Map<number, number>();
  const evaluate = (e: Expr, i: number): number => {
    switch (e.op) {
      case 'lit': return e.value;
      case 'scalar': return scalars[e.index];
      case 'read': return readAt(buffers, e.buf, e.read, i);
      case 'local': {
        const v = locals.get(e.id);
        if (v === undefined) throw new Error(`local ${e.id} read before its let`);
        return v;
      }
      case 'fr': return Math.fround(evaluate(e.a, i));
      case 'add': return evaluate(e.a, i) + evaluate(e.b, i);
      case 'sub': return evaluate(e.a, i) - evaluate(e.b, i);
      case 'mul': return evaluate(e.a, i) * evaluate(e.b, i);
      case 'div': return evaluate(e.a, i) / evaluate(e.b, i);
      case 'min': return Math.min(evaluate(e.a, i), evaluate(e.b, i));
      case 'max': return Math.max(evaluate(e.a, i), evaluate(e.b, i));
      case 'neg': return -evaluate(e.a, i);
      case 'abs': return Math.abs(evaluate(e.a, i));
      case 'sqrt': return Math.sqrt(evaluate(e.a, i));
      case 'floor': return Math.floor(evaluate(e.a, i));
      case 'ceil': return Math.ceil(evaluate(e.a, i));
      case 'call': {
        const fn = Math[e.fn] as (...xs: number[]) => number;
        return fn(...e.args.map((a) => evaluate(a, i)));
      }
      case 'select':
        return COMPARE[e.test.cmp](evaluate(e.test.a, i), evaluate(e.test.b, i)) ? evaluate(e.a, i) : evaluate(e.b, i);
    }
  };
  const acc = ir.accumulators.map((a) => INITIAL[a.op]);
  const magnitudes = ir.accumulators.map(() => 0);
  for (let i = 0; i < ir.size; i++) {
    for (const s of ir.body) {
      const value = evaluate(s.value, i);
      if (s.op === 'let') locals.set(s.id, value);
      else if (s.op === 'store') buffer(buffers, s.buf)[i] = value;
      else {
        acc[s.acc] = COMBINE[ir.accumulators[s.acc].op](acc[s.acc], value);
        magnitudes[s.acc] += Math.abs(value);
      }
    }
  }
  let returned: number | undefined;
  ir.accumulators.forEach((a, k) => {
    if (a.into === 'return') returned = acc[k];
    else buffer(buffers, a.into.buf)[a.into.at] = a.into.divideBy === undefined ? acc[k] : acc[k] / a.into.divideBy;
  });
  return { accumulators: acc, magnitudes, returned };
}
