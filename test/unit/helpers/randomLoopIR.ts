/**
 * Seeded random LoopIRs with their input buffers, for holding the WebAssembly
 * emitter to the reference interpreter (loopInterpreter.ts): every expression
 * op and Math function, lets of float32 and float64 kind, stores, every
 * reduction into a buffer (with and without divideBy) or returned, and every
 * Read kind (windows padded at either end or both, negative and positive
 * shifts, general maps with and without pads), over values that include NaN,
 * ±Infinity, ±0, subnormals and the float32 extremes.
 */
import {
  MATH_ARITY, type Accumulator, type BinaryOp, type Comparison, type Expr, type LoopIR, type MathFunction, type Read, type ReduceOp, type Stmt, type UnaryOp,
} from '../../../src/core/wasm/loopIR';

/** mulberry32: a small deterministic generator (uniform in [0, 1)). */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** float32 values where float32 and float64 arithmetic part ways (all exactly representable in float32). */
export const SPECIAL_FLOAT32: readonly number[] = [
  NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, -0.5, 1.5, -2.5, 6, -6, 3, 1 / 1024,
  Math.fround(1e-45), -Math.fround(1e-45), Math.fround(1e-40), -Math.fround(3e-39), // subnormals
  Math.fround(1.1754943508222875e-38), // the smallest normal
  Math.fround(3.4028234663852886e38), -Math.fround(3.4028234663852886e38), Math.fround(1e38), Math.fround(-1e30),
  Math.fround(1e-30), Math.fround(0.1), Math.fround(16777215), Math.fround(1 + 2 ** -23),
];

/** float64 values that are not float32 values (IR literals and float64 scalars). */
export const NON_FLOAT32: readonly number[] = [0.1, -0.3, 1 / 3, 0.2, 1e-300, -1e300, 1 + 2 ** -40, 5e-324, 1.7976931348623157e308, 1.0507009873554805, 3.5e38, 1e-46];

const BINARY: readonly BinaryOp[] = ['add', 'sub', 'mul', 'div', 'min', 'max'];
const UNARY: readonly UnaryOp[] = ['neg', 'abs', 'sqrt', 'floor', 'ceil'];
const COMPARISONS: readonly Comparison[] = ['eq', 'ne', 'lt', 'gt', 'le', 'ge'];
const REDUCE_OPS: readonly ReduceOp[] = ['sum', 'max', 'min', 'prod'];
export const MATH_FUNCTIONS = Object.keys(MATH_ARITY) as MathFunction[];

export interface LoopCase {
  readonly ir: LoopIR;
  /** Every buffer the loop reads or writes, by IR id, with its contents before the loop. */
  readonly buffers: ReadonlyMap<number, Float32Array | Int32Array>;
  readonly scalars: readonly number[];
  /** The buffer the accumulators are stored into (element k + 1 for accumulator k). */
  readonly reductionBuffer: number;
}

/** Buffer ids: data 0–3, a buffer of values near 1 (for products that cannot overflow), stores 5–6, reductions 7, maps from 8. */
const DATA = [0, 1, 2, 3];
const NEAR_ONE = 4;
const STORES = [5, 6];
const REDUCED = 7;
const FIRST_MAP = 8;

class Generator {
  readonly buffers = new Map<number, Float32Array | Int32Array>();
  readonly scalarKinds: ('f32' | 'f64')[] = [];
  readonly scalars: number[] = [];
  private readonly lets: number[] = [];
  private nextMap = FIRST_MAP;
  /** Elements of every data buffer: reads may run past the loop's end by a few. */
  private readonly length: number;

  constructor(private readonly random: () => number, readonly size: number) {
    this.length = size + 8;
    for (const buf of DATA) this.buffers.set(buf, Float32Array.from({ length: this.length }, () => this.float32()));
    this.buffers.set(NEAR_ONE, Float32Array.from({ length: this.length }, () => this.nearOne()));
    for (const buf of STORES) this.buffers.set(buf, new Float32Array(Math.max(size, 1)).fill(12345));
    const scalarCount = this.int(3);
    for (let k = 0; k < scalarCount; k++) {
      const f32 = this.random() < 0.5;
      this.scalarKinds.push(f32 ? 'f32' : 'f64');
      this.scalars.push(f32 ? this.float32() : this.chance(0.5) ? this.pick(NON_FLOAT32) : this.random() * 200 - 100);
    }
  }

  int(n: number): number {
    return Math.floor(this.random() * n);
  }
  chance(p: number): boolean {
    return this.random() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** A float32: a special value, or a random one of any sign over a wide range of exponents. */
  float32(): number {
    if (this.chance(0.25)) return this.pick(SPECIAL_FLOAT32);
    const exponent = this.chance(0.8) ? this.int(41) - 20 : this.int(277) - 149;
    return Math.fround((this.chance(0.5) ? -1 : 1) * (1 + this.random()) * 2 ** exponent);
  }
  /** Near 1 (products of thousands stay in range in any order), with the occasional 0, −0, ±Infinity, NaN or −1. */
  nearOne(): number {
    return this.chance(0.05) ? this.pick([0, -0, Infinity, -Infinity, NaN, -1]) : Math.fround(0.9 + 0.2 * this.random());
  }
  literal(): number {
    return this.chance(0.7) ? this.pick(SPECIAL_FLOAT32) : this.pick(NON_FLOAT32);
  }
  pad(nearOne: boolean): number {
    return nearOne ? this.nearOne() : this.pick([0, -0, 1, NaN, -Infinity, Math.fround(0.1), Math.fround(-2.5e-40)]);
  }

  read(buf: number): Expr {
    const n = this.size;
    const nearOne = buf === NEAR_ONE;
    const kinds = ['offset', 'offset', 'window', 'window', 'modulo', 'divide', 'constant', 'general', 'general'] as const;
    let read: Read;
    switch (this.pick(kinds)) {
      case 'offset':
        read = { kind: 'offset', k: this.chance(0.5) ? 0 : this.int(6) };
        break;
      case 'window': {
        if (n === 0) return this.read(buf);
        // Pads at the start, the end, both or neither; windows mostly wide enough for the vector loop.
        const lo = Math.min(n - 1, this.chance(0.5) ? 0 : this.chance(0.5) ? 1 + this.int(3) : this.int(n));
        const hiChoice = this.chance(0.5) ? n : this.chance(0.5) ? n - 1 - this.int(3) : lo + 1 + this.int(n - lo);
        const hi = Math.max(lo + 1, Math.min(n, hiChoice));
        // i + k in [0, length) for every i in [lo, hi).
        const shifts = [-lo, -1, 0, 1, 3, this.length - hi].filter((k) => k >= -lo && hi - 1 + k < this.length);
        read = { kind: 'window', lo, hi, k: this.pick(shifts), pad: this.pad(nearOne) };
        break;
      }
      case 'modulo':
        read = { kind: 'modulo', m: 1 + this.int(Math.min(this.length, n + 3)) };
        break;
      case 'divide':
        read = { kind: 'divide', d: 1 + this.int(5) };
        break;
      case 'constant':
        read = { kind: 'constant', at: this.int(this.length) };
        break;
      case 'general': {
        const padded = this.chance(0.5);
        const map = this.nextMap++;
        this.buffers.set(map, Int32Array.from({ length: Math.max(n, 1) }, () => (padded && this.chance(0.3) ? -1 - this.int(3) : this.int(this.length))));
        read = { kind: 'general', map, padded, pad: this.pad(nearOne) };
        break;
      }
    }
    return { op: 'read', buf, read };
  }

  leaf(): Expr {
    const r = this.random();
    if (r < 0.15) return { op: 'lit', value: this.literal() };
    if (r < 0.25 && this.scalars.length > 0) return { op: 'scalar', index: this.int(this.scalars.length) };
    if (r < 0.45 && this.lets.length > 0) return { op: 'local', id: this.pick(this.lets) };
    return this.read(this.pick(DATA));
  }

  expr(depth: number): Expr {
    if (depth <= 0 || this.chance(0.2)) return this.leaf();
    const r = this.random();
    const sub = () => this.expr(depth - 1);
    if (r < 0.15) return { op: 'fr', a: sub() };
    if (r < 0.5) return { op: this.pick(BINARY), a: sub(), b: sub() };
    if (r < 0.7) return { op: this.pick(UNARY), a: sub() };
    if (r < 0.8) {
      const fn = this.pick(MATH_FUNCTIONS);
      return { op: 'call', fn, args: Array.from({ length: MATH_ARITY[fn] }, sub) };
    }
    return { op: 'select', test: { cmp: this.pick(COMPARISONS), a: sub(), b: sub() }, a: sub(), b: sub() };
  }

  /** Values near 1 (or 0, ±Infinity, NaN): a product of thousands of them cannot over- or underflow in any order. */
  nearOneExpr(depth: number): Expr {
    const r = this.random();
    if (depth <= 0 || r < 0.3) return this.read(NEAR_ONE);
    const sub = () => this.nearOneExpr(depth - 1);
    if (r < 0.4) return { op: 'fr', a: sub() };
    if (r < 0.5) return { op: this.pick(['neg', 'abs'] as const), a: sub() };
    if (r < 0.8) return { op: this.pick(['mul', 'div', 'min', 'max'] as const), a: sub(), b: sub() };
    return { op: 'select', test: { cmp: this.pick(COMPARISONS), a: sub(), b: this.expr(1) }, a: sub(), b: sub() };
  }

  loop(): LoopIR {
    const body: Stmt[] = [];
    const accumulators: Accumulator[] = [];
    let returns = false;
    const statements = 1 + this.int(7);
    let id = 0;
    for (let s = 0; s < statements; s++) {
      const r = this.random();
      if (r < 0.45) {
        // float32 lets (rounded) and float64 ones (kindOf decides; an unrounded one may still be float32).
        const value = this.expr(1 + this.int(3));
        body.push({ op: 'let', id, value: this.chance(0.5) ? { op: 'fr', a: value } : value });
        this.lets.push(id++);
      } else if (r < 0.7) {
        body.push({ op: 'store', buf: this.pick(STORES), value: this.expr(1 + this.int(3)) });
      } else if (accumulators.length > 0 && this.chance(0.2)) {
        // A second term into an existing accumulator.
        const acc = this.int(accumulators.length);
        body.push({ op: 'reduce', acc, value: accumulators[acc].op === 'prod' ? this.nearOneExpr(2) : this.expr(2) });
      } else {
        const op = this.pick(REDUCE_OPS);
        const acc = accumulators.length;
        const ret: boolean = !returns && this.chance(0.3);
        returns ||= ret;
        const divideBy = this.pick([undefined, undefined, this.size, 3, 0.1]);
        accumulators.push({ op, into: ret ? 'return' : { buf: REDUCED, at: acc + 1, ...(divideBy === undefined ? {} : { divideBy }) } });
        body.push({ op: 'reduce', acc, value: op === 'prod' ? this.nearOneExpr(2) : this.expr(1 + this.int(3)) });
      }
    }
    this.buffers.set(REDUCED, new Float32Array(accumulators.length + 2).fill(12345));
    return { size: this.size, scalars: this.scalarKinds, body, accumulators };
  }
}

/** A random loop of `size` elements and its inputs, determined by `seed`. */
export function randomLoopCase(seed: number, size: number): LoopCase {
  const g = new Generator(seededRandom(seed), size);
  const ir = g.loop();
  return { ir, buffers: g.buffers, scalars: g.scalars, reductionBuffer: REDUCED };
}

/** A deep copy of a case's buffers (each run modifies its own). */
export function copyBuffers(buffers: ReadonlyMap<number, Float32Array | Int32Array>): Map<number, Float32Array | Int32Array> {
  return new Map([...buffers].map(([id, b]) => [id, b.slice()]));
}
