/**
 * tanh as WebAssembly SIMD (two float64 lanes), for the loops' `Math.tanh`
 * calls: WebAssembly has no such instruction, and V8 calls Math.tanh from
 * WebAssembly only through JS, slower than a JS loop. This is fdlibm's tanh
 * and the part of its expm1 tanh reaches (FreeBSD msun s_tanh.c, s_expm1.c,
 * which V8's Math.tanh is, src/base/ieee754.cc), operation for operation, so
 * every lane gets Math.tanh's bits (test/unit/core/wasm/transcendentalTanh.test.ts
 * holds them equal over millions of points and the edge values). fdlibm's
 * branches become lane masks: every branch is computed and the lane's own is
 * selected; the high-word comparisons become comparisons with the double
 * whose high word it is (low word 0), and 2^k comes from k's bits.
 */
import { Op, Simd, type Code } from './binary';
import type { Expr } from './loopIR';
import { BLOCK_EMPTY, F64X2_TRUNC, I64X2_ALL_TRUE, Lanes64, SIGN_BIT, V128_AND, V128_OR, fromWords, type Emit, type Lanes } from './simdLanes64';

/** fdlibm's constants (s_expm1.c). */
const LN2_HI = 6.93147180369123816490e-01;
const LN2_LO = 1.90821492927058770002e-10;
const INV_LN2 = 1.44269504088896338700e+00;
const Q = [-3.33333333333331316428e-02, 1.58730158725481460165e-03, -7.93650757867487942473e-05, 4.00821782732936239552e-06, -2.01099218183624371326e-07];
/** expm1's k = 0 branch: high word of |y| at most 0x3fd62e42 (|y| ≤ ln 2 / 2, rounded up to the high word). */
const K_ZERO_BELOW = fromWords(0x3fd62e43);
/** tanh: |x| < 2⁻²⁸ gives x; |x| ≥ 22 gives ±1. */
const TINY = fromWords(0x3e300000);
const SATURATED = fromWords(0x40360000);

/** The locals one tanh uses; two sets per function, for a pair (a tanh's argument is computed before it starts, so uses never overlap). */
interface Scratch {
  readonly x: Lanes; readonly a: Lanes; readonly y: Lanes; readonly k: Lanes; readonly hi: Lanes; readonly lo: Lanes;
  readonly r: Lanes; readonly c: Lanes; readonly hfx: Lanes; readonly hxs: Lanes; readonly r1: Lanes; readonly e: Lanes;
  readonly p: Lanes; readonly q: Lanes; readonly t: Lanes;
}
const scratches = new WeakMap<Code, Scratch[]>();

/** Scratch set `which` of this function (a pair of tanh uses two). */
function scratchOf(code: Code, which: 0 | 1): Scratch {
  const sets = scratches.get(code) ?? [];
  scratches.set(code, sets);
  if (!sets[which]) {
    const v = () => code.local('v128');
    sets[which] = { x: v(), a: v(), y: v(), k: v(), hi: v(), lo: v(), r: v(), c: v(), hfx: v(), hxs: v(), r1: v(), e: v(), p: v(), q: v(), t: v() };
  }
  return sets[which];
}

/** expm1(y) of fdlibm for the y tanh passes (|y| ≥ 2⁻²⁷, y < 0 or y ≥ 2): from `s.y`, `s.a` = |y| / 2 set; result on the stack. */
function expm1ForTanh(f: Lanes64, s: Scratch, lanes: TanhLanes = 'any'): void {
  const code = f.code;
  // k = (int)(y/ln2 ± 0.5) (the sign of y), 0 in the primary range. Below 1, y = −2|x| is negative
  // outside the primary range, so the − 0.5 is the lanes' own.
  const half = () => (lanes === 'belowOne' ? f.c(-0.5) : f.select(() => f.c(-0.5), () => f.c(0.5), () => f.get(s.y).c(0).code.simd(Simd.f64x2Lt)));
  f.select(
    () => f.c(0),
    () => {
      f.get(s.y).c(INV_LN2).mul();
      half();
      f.add().code.simd(F64X2_TRUNC);
    },
    () => f.get(s.a).c(2).mul().c(K_ZERO_BELOW).code.simd(Simd.f64x2Lt),
  ).set(s.k);
  f.get(s.y).get(s.k).c(LN2_HI).mul().sub().set(s.hi);
  f.get(s.k).c(LN2_LO).mul().set(s.lo);
  f.get(s.hi).get(s.lo).sub().set(s.r);
  f.get(s.hi).get(s.r).sub().get(s.lo).sub().set(s.c);
  expm1Correction(f, s);
  // The result of each branch, the lane's own kept: each select below overrides the ones before it.
  f.get(s.k).pow2().set(s.p);
  if (lanes !== 'belowOne') f.get(s.k).neg().pow2().set(s.q);
  const k = (cmp: number, value: number) => () => f.get(s.k).c(value).code.simd(cmp);
  // k = 0: r − (r·e − hxs), with e before the k ≠ 0 update below.
  f.get(s.r).get(s.r).get(s.e).mul().get(s.hxs).sub().sub().set(s.t);
  // e = (r·(e − c) − c) − hxs
  f.get(s.r).get(s.e).get(s.c).sub().mul().get(s.c).sub().get(s.hxs).sub().set(s.e);
  const eMinusR = () => f.get(s.e).get(s.r).sub();
  if (lanes === 'belowOne') {
    // k is 0, −1, −2 or −3 (|y| < 2): the k ≤ −2 form, then k = −1's and k = 0's selected over it, as below.
    f.c(1);
    eMinusR();
    f.sub().get(s.p).mul().c(1).sub().set(s.hi);
    f.select(() => { f.c(0.5).get(s.r).get(s.e).sub().mul().c(0.5).sub(); }, () => f.get(s.hi), k(Simd.f64x2Eq, -1)).set(s.hi);
    f.select(() => f.get(s.t), () => f.get(s.hi), k(Simd.f64x2Eq, 0));
    return;
  }
  // 20 ≤ k ≤ 56: ((r − (e + 2^−k)) + 1)·2^k
  f.get(s.r).get(s.e).get(s.q).add().sub().c(1).add().get(s.p).mul().set(s.hi);
  const override = (branch: Emit, test: Emit) => f.select(branch, () => f.get(s.hi), test).set(s.hi);
  // k < 20: ((1 − 2^−k) − (e − r))·2^k
  override(() => { f.c(1).get(s.q).sub(); eMinusR(); f.sub().get(s.p).mul(); }, k(Simd.f64x2Lt, 20));
  // k ≤ −2 or k > 56: (1 − (e − r))·2^k − 1
  override(() => { f.c(1); eMinusR(); f.sub().get(s.p).mul().c(1).sub(); }, () => {
    k(Simd.f64x2Le, -2)();
    k(Simd.f64x2Gt, 56)();
    code.simd(V128_OR);
  });
  // k = −1: 0.5·(r − e) − 0.5
  override(() => { f.c(0.5).get(s.r).get(s.e).sub().mul().c(0.5).sub(); }, k(Simd.f64x2Eq, -1));
  f.select(() => f.get(s.t), () => f.get(s.hi), k(Simd.f64x2Eq, 0));
}

/** expm1's correction term from r (every branch's): hfx, hxs, r1 = 1 + hxs·(Q1 + … + hxs·Q5), t and e. */
function expm1Correction(f: Lanes64, s: Scratch): void {
  f.c(0.5).get(s.r).mul().set(s.hfx);
  f.get(s.r).get(s.hfx).mul().set(s.hxs);
  // r1 = 1 + hxs·(Q1 + hxs·(Q2 + hxs·(Q3 + hxs·(Q4 + hxs·Q5))))
  f.get(s.hxs).c(Q[4]).mul();
  for (const q of [Q[3], Q[2], Q[1], Q[0]]) f.c(q).add().get(s.hxs).mul();
  f.c(1).code.simd(Simd.f64x2Add);
  f.set(s.r1);
  // t = 3 − r1·hfx; e = hxs·((r1 − t)/(6 − r·t))
  f.c(3).get(s.r1).get(s.hfx).mul().sub().set(s.t);
  f.get(s.hxs).get(s.r1).get(s.t).sub().c(6).get(s.r).get(s.t).mul().sub().div().mul().set(s.e);
}

/**
 * expm1(y) for lanes all in its k = 0 branch (|y| below K_ZERO_BELOW, checked by the caller for every
 * lane): fdlibm's own operations for that branch, the others skipped. With k = 0, hi = y − 0·ln2hi is y,
 * lo is 0 and r = hi − lo is y, bit for bit (−0 too), so r is y; c is not read by this branch.
 */
function expm1KZero(f: Lanes64, s: Scratch): void {
  f.get(s.y).set(s.r);
  expm1Correction(f, s);
  // r − (r·e − hxs), left on the stack as expm1ForTanh leaves its result.
  f.get(s.r).get(s.r).get(s.e).mul().get(s.hxs).sub().sub();
}

/**
 * Which lanes a tanh computation is emitted for: any, only lanes whose |x| is below 1 (expm1's k is 0 to
 * −3), or only lanes in expm1's k = 0 branch (|x| < 0.1733).
 */
export type TanhLanes = 'any' | 'belowOne' | 'kZero';

/**
 * Math.tanh of s.x's lanes into s.t (fdlibm's s_tanh.c), s.a = |x| set: |x| < 2⁻²⁸ gives x, |x| ≥ 22
 * (and ±Infinity) ±1, NaN NaN; otherwise t = expm1(−2|x|) and −t/(t + 2) below 1, t = expm1(2|x|) and
 * 1 − 2/(t + 2) from 1, with x's sign. Every statement ends in a local.set with an empty stack.
 * `kZero`: every lane below 1 and in expm1's k = 0 branch, so only that branch's operations are emitted.
 */
function tanhStatements(f: Lanes64, s: Scratch, lanes: TanhLanes = 'any'): void {
  if (lanes === 'kZero') {
    f.c(-2).get(s.a).mul().set(s.y);
    expm1KZero(f, s);
    f.set(s.t);
    f.get(s.t).neg().get(s.t).c(2).add().div().set(s.t);
    withSignAndTiny(f, s);
    return;
  }
  if (lanes === 'belowOne') {
    f.c(-2).get(s.a).mul().set(s.y);
    expm1ForTanh(f, s, lanes);
    f.set(s.t);
    f.get(s.t).neg().get(s.t).c(2).add().div().set(s.t);
    withSignAndTiny(f, s);
    return;
  }
  const below1 = () => f.get(s.a).c(1).code.simd(Simd.f64x2Lt);
  f.select(() => f.c(-2).get(s.a).mul(), () => f.c(2).get(s.a).mul(), below1).set(s.y);
  expm1ForTanh(f, s);
  f.set(s.t);
  // One division for both forms: (−t)/(t + 2) below 1, else 1 − 2/(t + 2).
  f.select(() => f.get(s.t).neg(), () => f.c(2), below1).get(s.t).c(2).add().div().set(s.hi);
  f.select(() => f.get(s.hi), () => f.c(1).get(s.hi).sub(), below1).set(s.t);
  f.select(() => f.c(1), () => f.get(s.t), () => f.get(s.a).c(SATURATED).code.simd(Simd.f64x2Ge)).set(s.t);
  withSignAndTiny(f, s);
}

/** s.t with x's sign (s.t ≥ 0 here), then x itself below 2⁻²⁸ (±0 kept). */
function withSignAndTiny(f: Lanes64, s: Scratch): void {
  f.get(s.t).get(s.x).c(SIGN_BIT).code.simd(V128_AND).simd(V128_OR);
  f.set(s.t);
  f.select(() => f.get(s.x), () => f.get(s.t), () => f.get(s.a).c(TINY).code.simd(Simd.f64x2Lt)).set(s.t);
}

/** s.x from the stack's top, s.a = |x|. */
function takeArgument(f: Lanes64, s: Scratch): void {
  f.set(s.x);
  f.get(s.x).code.simd(Simd.f64x2Abs);
  f.set(s.a);
}

/** Replaces the float64x2 on the stack's top by Math.tanh of each lane. */
export function emitTanhF64x2(code: Code): Code {
  const s = scratchOf(code, 0);
  const f = new Lanes64(code);
  takeArgument(f, s);
  tanhStatements(f, s);
  return code.get(s.t);
}

/**
 * Math.tanh of the lanes of two float64x2 locals, into two locals it returns. The two computations'
 * statements alternate, so the processor overlaps their long dependency chains (a lone tanh waits on
 * its own polynomial and divisions).
 */
export function emitTanhPairF64x2(code: Code, first: number, second: number): [number, number] {
  const scratch = [scratchOf(code, 0), scratchOf(code, 1)];
  [first, second].forEach((x, k) => takeArgument(new Lanes64(code.get(x)), scratch[k]));
  // All four lanes in expm1's k = 0 branch (expm1ForTanh's own test), else all below 1: only those
  // branches' work (NaN fails both tests).
  const f = new Lanes64(code);
  const allBelow = (bound: number, scale: number) => {
    for (const s of scratch) f.get(s.a).c(scale).mul().c(bound).code.simd(Simd.f64x2Lt);
    code.simd(V128_AND).simd(I64X2_ALL_TRUE).op(Op.if, BLOCK_EMPTY);
  };
  allBelow(K_ZERO_BELOW, 2);
  interleavedPair(code, scratch, 'kZero');
  code.op(Op.else);
  allBelow(1, 1);
  interleavedPair(code, scratch, 'belowOne');
  code.op(Op.else);
  interleavedPair(code, scratch, 'any');
  code.op(Op.end, Op.end);
  return [scratch[0].t, scratch[1].t];
}

/** The two halves' tanh statements, alternating. */
function interleavedPair(code: Code, scratch: Scratch[], lanes: TanhLanes): void {
  const start = code.bytes.length;
  const halves = scratch.map((s) => {
    const begin = code.bytes.length;
    const f = new Lanes64(code);
    tanhStatements(f, s, lanes);
    return { begin, ends: f.ends };
  });
  const bytes = code.bytes.splice(start);
  const [a, b] = halves.map(({ begin, ends }) => ends.map((end, j) => bytes.slice((j === 0 ? begin : ends[j - 1]) - start, end - start)));
  if (a.length !== b.length) throw new Error('tanh pair: the two computations differ in statements');
  a.forEach((statement, j) => code.op(...statement, ...b[j]));
}

/** Per function: a vector tanh call whose second half was computed with its first (the pair), by call. */
const secondHalves = new WeakMap<Code, Map<Expr, Lanes>>();

/**
 * A loop's `Math.tanh` call, for the emitter: in the scalar loop the one lane; in the vector loop
 * (two float64x2 halves, asked for one after the other) both halves at once when the first is asked
 * for, the second kept in a local of its own until it is. `arg(half)` pushes the argument's half.
 */
export function emitTanhCall(code: Code, call: Expr, vector: boolean, half: number, arg: (half: number) => void): Code {
  if (!vector) {
    arg(0);
    return emitTanhF64x2(code.simd(Simd.f64x2Splat)).simd(Simd.f64x2ExtractLane, 0);
  }
  const waiting = secondHalves.get(code) ?? new Map<Expr, Lanes>();
  secondHalves.set(code, waiting);
  const kept = waiting.get(call);
  if (half === 1 && kept !== undefined) {
    waiting.delete(call);
    return code.get(kept);
  }
  const halves = [code.local('v128'), code.local('v128')];
  halves.forEach((local, k) => {
    arg(k);
    code.set(local);
  });
  const results = emitTanhPairF64x2(code, halves[0], halves[1]);
  if (half === 0) {
    code.get(results[1]).set(halves[1]);
    waiting.set(call, halves[1]);
  }
  return code.get(results[half]);
}
