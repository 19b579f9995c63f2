/**
 * Loops over float32 buffers as data, for the WebAssembly loop compiler
 * (emitLoop.ts). The semantics are JavaScript's: arithmetic is done in
 * float64 and `fr` rounds to float32 (Math.fround), so a loop here computes
 * exactly what the plain-JS loop it mirrors computes. The compiler uses
 * float32 SIMD wherever that is provably the same (one +, −, ×, ÷ or √ of
 * float32 operands, then a rounding) and float64 lanes elsewhere.
 */

/** Where element i of a buffer read comes from (see indexMaps.classifyMap). */
export type Read =
  | { readonly kind: 'offset'; readonly k: number }
  | { readonly kind: 'window'; readonly lo: number; readonly hi: number; readonly k: number; readonly pad: number }
  /** buf[k + i mod m] (k absent: 0). */
  | { readonly kind: 'modulo'; readonly m: number; readonly k?: number }
  | { readonly kind: 'divide'; readonly d: number }
  | { readonly kind: 'constant'; readonly at: number }
  /** buf[map[i]], map an Int32 buffer; map[i] < 0 reads `pad` when padded. */
  | { readonly kind: 'general'; readonly map: number; readonly padded: boolean; readonly pad: number };

export type Comparison = 'eq' | 'ne' | 'lt' | 'gt' | 'le' | 'ge';
export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'min' | 'max';
export type UnaryOp = 'neg' | 'abs' | 'sqrt' | 'floor' | 'ceil';
/**
 * JS Math functions the loops call, imported from Math itself so the bits are the engine's own.
 * Only those V8 calls from WebAssembly as direct C calls: others (expm1, log1p, sinh, …) go
 * through a JS call per element and run slower than a plain JS loop. tanh is not imported: the
 * emitter inlines fdlibm's algorithm as SIMD, with Math.tanh's bits (transcendentalTanh.ts).
 */
export type MathFunction = 'exp' | 'log' | 'sin' | 'cos' | 'tan' | 'asin' | 'acos' | 'atan' | 'pow' | 'atan2' | 'tanh';
export const MATH_ARITY: Record<MathFunction, number> = {
  exp: 1, log: 1, sin: 1, cos: 1, tan: 1, asin: 1, acos: 1, atan: 1, pow: 2, atan2: 2, tanh: 1,
};

export type Expr =
  | { readonly op: 'lit'; readonly value: number }
  /** The loop function's parameter `index`. */
  | { readonly op: 'scalar'; readonly index: number }
  | { readonly op: 'read'; readonly buf: number; readonly read: Read }
  | { readonly op: 'local'; readonly id: number }
  | { readonly op: 'fr'; readonly a: Expr }
  | { readonly op: BinaryOp; readonly a: Expr; readonly b: Expr }
  | { readonly op: UnaryOp; readonly a: Expr }
  /** Math[fn](...args), in float64. */
  | { readonly op: 'call'; readonly fn: MathFunction; readonly args: readonly Expr[] }
  /** JS `test.a <cmp> test.b ? a : b`. */
  | { readonly op: 'select'; readonly test: { readonly cmp: Comparison; readonly a: Expr; readonly b: Expr }; readonly a: Expr; readonly b: Expr };

export type ReduceOp = 'sum' | 'max' | 'min' | 'prod';

export type Stmt =
  /** A local (JS `const`), numbered by the caller; later expressions read it as { op: 'local', id }. */
  | { readonly op: 'let'; readonly id: number; readonly value: Expr }
  /** buf[i] = value (a Float32Array store: rounded to float32). */
  | { readonly op: 'store'; readonly buf: number; readonly value: Expr }
  /** accumulator `acc` (float64) ⊕= value. */
  | { readonly op: 'reduce'; readonly acc: number; readonly value: Expr };

/** Which element of a row reduction's buffer element i updates: i / d, i % m, or map[i] (an Int32 map, IR id as a general read's). */
export type RowTarget =
  | { readonly kind: 'divide'; readonly d: number }
  | { readonly kind: 'modulo'; readonly m: number }
  | { readonly kind: 'map'; readonly map: number };

/**
 * A reduction into several elements (rows along the last axes, columns over the first, any map):
 * `rows` elements of buf are set to the op's initial value before the loop; after the body's
 * statements of each i, buf[at(i)] = fr(buf[at(i)] ⊕ value), in order of i (what the JS loop's
 * Float32Array update computes); after the loop each of them is divided by divideBy (rounded).
 */
export interface RowReduction {
  readonly op: ReduceOp;
  readonly buf: number;
  readonly at: RowTarget;
  readonly value: Expr;
  readonly rows: number;
  readonly divideBy?: number;
}

export interface Accumulator {
  readonly op: ReduceOp;
  /** After the loop: buf[at] = acc / divideBy (float32), or the function's float64 result. */
  readonly into: { readonly buf: number; readonly at: number; readonly divideBy?: number } | 'return';
}

/**
 * Rules the emitter relies on (the compiler's fusion keeps them, src/core/compiled/loopFuser.ts):
 * - a loop never reads a buffer it stores to at another index (the vector loop reads 4 elements
 *   before it stores them);
 * - pad values are float32 (they are rounded when emitted);
 * - the accumulators into 'return' are the function's results, in order (a float64 each; several
 *   come back to JS as an array);
 * - a movable buffer's reads and stores stay inside the range its caller gave it.
 */
export interface LoopIR {
  /** Elements: i runs over [0, size). */
  readonly size: number;
  /** The function's parameters: float32 ones are known to be float32 values (a lane type choice, not a rounding). */
  readonly scalars: readonly ('f32' | 'f64')[];
  /**
   * Buffers whose first element is an argument: after the scalars, one int32 parameter per buffer
   * listed, an element offset, so element j of buffer b is the memory's float32 at layout(b)/4 + offset + j.
   * Several ids may name one memory at different offsets (one loop over any rows of a matrix).
   */
  readonly movable?: readonly number[];
  readonly body: readonly Stmt[];
  readonly accumulators: readonly Accumulator[];
  /** Updated after the body's statements of each i; their buffers are no other statement's (RowReduction). */
  readonly rowReductions?: readonly RowReduction[];
}

export const INITIAL: Record<ReduceOp, number> = { sum: 0, max: -Infinity, min: Infinity, prod: 1 };

/** The same loop over other buffers: every read, map and store of buffer b goes to rename(b). */
export function renameBuffers(ir: LoopIR, rename: (buf: number) => number): LoopIR {
  const read = (r: Read): Read => (r.kind === 'general' ? { ...r, map: rename(r.map) } : r);
  const expr = (e: Expr): Expr => {
    switch (e.op) {
      case 'lit': case 'scalar': case 'local':
        return e;
      case 'read':
        return { ...e, buf: rename(e.buf), read: read(e.read) };
      case 'select':
        return { ...e, test: { ...e.test, a: expr(e.test.a), b: expr(e.test.b) }, a: expr(e.a), b: expr(e.b) };
      case 'call':
        return { ...e, args: e.args.map(expr) };
      default:
        return 'b' in e ? { ...e, a: expr(e.a), b: expr(e.b) } : { ...e, a: expr(e.a) };
    }
  };
  return {
    ...ir,
    ...(ir.movable ? { movable: ir.movable.map(rename) } : {}),
    body: ir.body.map((s) => (s.op === 'store' ? { ...s, buf: rename(s.buf), value: expr(s.value) } : { ...s, value: expr(s.value) })),
    accumulators: ir.accumulators.map((a) => (a.into === 'return' ? a : { ...a, into: { ...a.into, buf: rename(a.into.buf) } })),
    ...(ir.rowReductions ? { rowReductions: ir.rowReductions.map((r) => ({ ...r, buf: rename(r.buf), value: expr(r.value), at: r.at.kind === 'map' ? { ...r.at, map: rename(r.at.map) } : r.at })) } : {}),
  };
}

export const lit = (value: number): Expr => ({ op: 'lit', value });
export const fr = (a: Expr): Expr => ({ op: 'fr', a });
export const bin = (op: BinaryOp, a: Expr, b: Expr): Expr => ({ op, a, b });
export const unary = (op: UnaryOp, a: Expr): Expr => ({ op, a });
export const call = (fn: MathFunction, ...args: Expr[]): Expr => ({ op: 'call', fn, args });
/** The expressions e reads directly (operands, a select's test, a call's arguments). */
export function operandsOf(e: Expr): Expr[] {
  if (e.op === 'select') return [e.test.a, e.test.b, e.a, e.b];
  if (e.op === 'call') return [...e.args];
  return 'a' in e ? ('b' in e ? [e.a, e.b] : [e.a]) : [];
}
export const select = (cmp: Comparison, x: Expr, y: Expr, a: Expr, b: Expr): Expr => ({ op: 'select', test: { cmp, a: x, b: y }, a, b });
