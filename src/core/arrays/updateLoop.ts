/**
 * An optimizer's per-element update written as a loop IR (../wasm/loopIR.ts),
 * op for op as its JS loop writes it, so the WebAssembly form computes the
 * same float32 values. The helpers read like the JS: add(a, b) is
 * f32(a + b), max(a, b) is Math.max(a, b), and so on.
 */
import { bin, fr, lit, select, unary, type Expr, type LoopIR, type Stmt } from '../wasm/loopIR';

/** Buffers every update loop shares; an optimizer's state slot k is buffer SLOT0 + k. */
export const PARAMS = 0;
export const GRAD = 1;
export const PARAMS_OUT = 2;
export const SLOT0 = 3;

export const add = (a: Expr, b: Expr): Expr => fr(bin('add', a, b));
export const sub = (a: Expr, b: Expr): Expr => fr(bin('sub', a, b));
export const mul = (a: Expr, b: Expr): Expr => fr(bin('mul', a, b));
export const div = (a: Expr, b: Expr): Expr => fr(bin('div', a, b));
export const sqrt = (a: Expr): Expr => fr(unary('sqrt', a));
/** Math.max and Math.abs of float32 values are float32 values: no rounding. */
export const max = (a: Expr, b: Expr): Expr => bin('max', a, b);
export const abs = (a: Expr): Expr => unary('abs', a);
/** f32(x) of a number known when the loop is built (an option). */
export const constant = (x: number): Expr => lit(Math.fround(x));

/** f32(f32(prev·β) + f32(x·(1 − β))): an average's step as the rules round it (1 − β given, as they compute it). */
export const ema = (prev: Expr, beta: number, oneMinusBeta: number, x: Expr): Expr => add(mul(prev, constant(beta)), mul(x, constant(oneMinusBeta)));
/** f32(f32(prev·β) + f32(f32(x·(1 − β))·x)): the squares' average (torch's addcmul order). */
export const emaSquare = (prev: Expr, beta: number, oneMinusBeta: number, x: Expr): Expr =>
  add(mul(prev, constant(beta)), mul(mul(x, constant(oneMinusBeta)), x));

/**
 * `epsPositive || denominator !== 0 ? value : 0`, divideSafely's zero step; with a
 * positive eps the JS loop never tests the denominator, and the loop IR leaves the test out.
 */
export function unlessZero(epsPositive: boolean, denominator: Expr, value: Expr): Expr {
  return epsPositive ? value : select('ne', denominator, lit(0), value, lit(0));
}

/** Builds one update loop over n parameters; its float32 scalars are the function's parameters, in order. */
export class UpdateLoop {
  private readonly body: Stmt[] = [];
  private locals = 0;
  /** params[i] and grad[i]. */
  readonly p: Expr;
  readonly grad: Expr = { op: 'read', buf: GRAD, read: { kind: 'offset', k: 0 } };

  constructor(private readonly size: number, private readonly scalarCount = 0) {
    this.p = this.let({ op: 'read', buf: PARAMS, read: { kind: 'offset', k: 0 } });
  }

  /** The k-th scalar parameter (a float32 value the update computes in JS per step). */
  scalar(k: number): Expr {
    if (k >= this.scalarCount) throw new Error(`the loop has ${this.scalarCount} scalars`);
    return { op: 'scalar', index: k };
  }

  /** The gradient with L2 weight decay, `l2 ? f32(grad[i] + f32(p * wd)) : grad[i]`. */
  penalisedGrad({ l2, wd }: { l2: boolean; wd: number }): Expr {
    return l2 ? this.let(add(this.grad, mul(this.p, constant(wd)))) : this.grad;
  }

  /** State slot k at i, as it is before this iteration stores to it. */
  slot(k: number): Expr {
    return { op: 'read', buf: SLOT0 + k, read: { kind: 'offset', k: 0 } };
  }

  /** A JS `const`: value computed once, read as often as needed. */
  let(value: Expr): Expr {
    const id = this.locals++;
    this.body.push({ op: 'let', id, value });
    return { op: 'local', id };
  }

  store(slot: number, value: Expr): void {
    this.body.push({ op: 'store', buf: SLOT0 + slot, value });
  }

  /** paramsOut[i] = out; the function returns Σ (out − p)² in float64, as updateNormSq. */
  finish(out: Expr): LoopIR {
    const o = this.let(out);
    const change = this.let(bin('sub', o, this.p));
    const body: Stmt[] = [...this.body, { op: 'store', buf: PARAMS_OUT, value: o }, { op: 'reduce', acc: 0, value: bin('mul', change, change) }];
    return { size: this.size, scalars: new Array<'f32'>(this.scalarCount).fill('f32'), body, accumulators: [{ op: 'sum', into: 'return' }] };
  }
}
