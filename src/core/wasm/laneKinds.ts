/**
 * The lane rule of the WebAssembly loops (emitLoop.ts): which values can live
 * in float32 lanes (four per 128-bit vector) and which need float64 lanes
 * (two per vector), so that the SIMD loop computes the bits of the plain-JS
 * loop, whose arithmetic is float64 with explicit Math.fround roundings.
 *
 * A value is float32 when it always holds a float32: a buffer read, an `fr`,
 * a literal float32 can hold, and neg, abs, floor, ceil, min, max or a select
 * of float32 values (none of them rounds). Every +, −, ×, ÷, √ and Math call
 * is float64. `fr` of one +, −, ×, ÷ or √ of float32 operands is done in
 * float32 directly: rounding the exact result once to float32 is what float32
 * arithmetic does, and float64 has enough extra bits that rounding to float64
 * first changes nothing (Figueroa, "When is double rounding innocuous?").
 * Also here: the range of i where the vector loop runs (every windowed read
 * in range, so it needs no bounds checks).
 */
import { operandsOf, type Expr, type LoopIR } from './loopIR';

export type Kind = 'f32' | 'f64';

/** Operations whose float64 result, rounded once, equals the float32 operation on float32 operands. */
export const EXACT_IN_F32 = new Set(['add', 'sub', 'mul', 'div', 'sqrt']);

/** Whether an expression's value is always a float32 (so float32 lanes hold it exactly). */
export function kindOf(e: Expr, locals: ReadonlyMap<number, Kind>, scalars: readonly Kind[]): Kind {
  switch (e.op) {
    case 'lit':
      return Number.isNaN(e.value) || Object.is(Math.fround(e.value), e.value) ? 'f32' : 'f64';
    case 'scalar':
      return scalars[e.index];
    case 'read':
    case 'fr':
      return 'f32';
    case 'local':
      return locals.get(e.id) ?? 'f64';
    case 'add': case 'sub': case 'mul': case 'div': case 'sqrt': case 'call':
      return 'f64';
    case 'select': {
      const parts = [e.a, e.b, e.test.a, e.test.b];
      return parts.every((p) => kindOf(p, locals, scalars) === 'f32') ? 'f32' : 'f64';
    }
    default:
      return kindOf(e.a, locals, scalars) === 'f32' && ('b' in e ? kindOf(e.b, locals, scalars) === 'f32' : true) ? 'f32' : 'f64';
  }
}

/** The ranges of i where every windowed read is in range, so the vector loop can skip the bounds checks. */
export function vectorRange(ir: LoopIR): { lo: number; hi: number } {
  let lo = 0;
  let hi = ir.size;
  const visit = (e: Expr): void => {
    if (e.op === 'read' && e.read.kind === 'window') {
      lo = Math.max(lo, e.read.lo);
      hi = Math.min(hi, e.read.hi);
    }
    operandsOf(e).forEach(visit);
  };
  ir.body.forEach((s) => visit(s.value));
  return hi - lo >= 8 ? { lo, hi } : { lo: ir.size, hi: ir.size };
}

/** At most this many segment vector loops per function: each is a copy of the loop's body in the module. */
export const MAX_SEGMENTS = 16;

/**
 * When vectorRange is empty but the loop has windowed reads: the ranges between consecutive window
 * edges (each window read wholly in range or wholly out in each), starts rounded up to a multiple of 4,
 * those of at least 8 elements, the MAX_SEGMENTS longest, in order. Empty otherwise.
 */
export function windowSegments(ir: LoopIR): { lo: number; hi: number }[] {
  const range = vectorRange(ir);
  if (range.hi > range.lo) return [];
  const edges = new Set([0, ir.size]);
  const visit = (e: Expr): void => {
    if (e.op === 'read' && e.read.kind === 'window') {
      for (const edge of [e.read.lo, e.read.hi]) edges.add(Math.min(ir.size, Math.max(0, edge)));
    }
    operandsOf(e).forEach(visit);
  };
  ir.body.forEach((s) => visit(s.value));
  if (edges.size <= 2) return [];
  const sorted = [...edges].sort((a, b) => a - b);
  const segments = sorted.slice(1).map((hi, k) => ({ lo: Math.ceil(sorted[k] / 4) * 4, hi })).filter(({ lo, hi }) => hi - lo >= 8);
  if (segments.length <= MAX_SEGMENTS) return segments;
  return segments.sort((a, b) => b.hi - b.lo - (a.hi - a.lo)).slice(0, MAX_SEGMENTS).sort((a, b) => a.lo - b.lo);
}
