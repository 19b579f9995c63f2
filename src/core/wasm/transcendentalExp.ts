/**
 * exp as WebAssembly SIMD (two float64 lanes), for the loops' `Math.exp` calls (softmax, sigmoid,
 * cross-entropy): WebAssembly has no such instruction, and each imported Math.exp call leaves
 * WebAssembly. This is fdlibm's __ieee754_exp (FreeBSD msun e_exp.c, which V8's Math.exp is,
 * src/base/ieee754.cc, with V8's exp(1) = E), operation for operation, so every lane gets
 * Math.exp's bits (test/unit/core/wasm/transcendentalExp.test.ts holds them equal over millions of
 * points and the edge values). As in transcendentalTanh.ts, branches become lane masks and the
 * high-word comparisons become comparisons with the double whose high word it is (low word 0).
 */
import { Op, Simd, type Code } from './binary';
import { BLOCK_EMPTY, F64X2_TRUNC, I64X2_ALL_TRUE, Lanes64, SIGN_BIT, V128_AND, V128_OR, fromWords, type Lanes } from './simdLanes64';

/** fdlibm's constants (e_exp.c). */
const LN2_HI = 6.93147180369123816490e-01;
const LN2_LO = 1.90821492927058770002e-10;
const INV_LN2 = 1.44269504088896338700e+00;
const P = [1.66666666666666019037e-01, -2.77777777770155933842e-03, 6.61375632143793436117e-05, -1.65339022054652515390e-06, 4.13813679705723846039e-08];
/** x > O_THRESHOLD overflows to Infinity, x < U_THRESHOLD underflows to 0 (±Infinity too). */
const O_THRESHOLD = 7.09782712893383973096e+02;
const U_THRESHOLD = -7.45133219101941108420e+02;
/** Reduced (k ≠ 0) when the high word of |x| passes 0x3fd62e42 (|x| > ln 2 / 2, rounded up to the high word). */
const REDUCE_FROM = fromWords(0x3fd62e43);
/** |x| < 2⁻²⁸ gives 1 + x. */
const TINY = fromWords(0x3e300000);
/** Below this |x|, −1021 ≤ k ≤ 1020: fdlibm scales by 2^k alone. */
const ORDINARY_BELOW = 707;

/** The locals one exp uses (its argument is computed before it starts, and its result left on the stack). */
interface Scratch {
  readonly x: Lanes; readonly a: Lanes; readonly k: Lanes; readonly hi: Lanes; readonly lo: Lanes; readonly r: Lanes;
  readonly t: Lanes; readonly c: Lanes; readonly y: Lanes; readonly off: Lanes;
}
const scratches = new WeakMap<Code, Scratch>();

function scratchOf(code: Code): Scratch {
  let s = scratches.get(code);
  if (!s) {
    const v = () => code.local('v128');
    s = { x: v(), a: v(), k: v(), hi: v(), lo: v(), r: v(), t: v(), c: v(), y: v(), off: v() };
    scratches.set(code, s);
  }
  return s;
}

/**
 * y = 2^−k·exp(x) of s.x's lanes, before fdlibm's scaling, into s.y, and its k into s.k. One form for every
 * finite lane: fdlibm's |x| < 1.5 ln 2 branch (k = ±1) is its general one with k = ±1, and its k = 0
 * form is the general one with hi = x, lo = 0 (0 − x·c/(2 − c) is x·c/(c − 2) bit for bit).
 */
function reducedStatements(f: Lanes64, s: Scratch): void {
  // k = (int)(x/ln2 ± 0.5) (x's sign) past ln 2 / 2, else 0.
  f.select(() => {
    f.get(s.x).c(INV_LN2).mul().c(0.5).get(s.x).c(SIGN_BIT).code.simd(V128_AND).simd(V128_OR);
    f.add().code.simd(F64X2_TRUNC);
  }, () => f.c(0), () => f.get(s.a).c(REDUCE_FROM).code.simd(Simd.f64x2Ge)).set(s.k);
  f.get(s.x).get(s.k).c(LN2_HI).mul().sub().set(s.hi);
  f.get(s.k).c(LN2_LO).mul().set(s.lo);
  f.get(s.hi).get(s.lo).sub().set(s.r);
  // c = r − t·(P1 + t·(P2 + t·(P3 + t·(P4 + t·P5)))), t = r²
  f.get(s.r).get(s.r).mul().set(s.t);
  f.get(s.r).get(s.t).c(P[4]).mul();
  for (const p of [P[3], P[2], P[1], P[0]]) f.c(p).add().get(s.t).mul();
  f.sub().set(s.c);
  // y = 1 − ((lo − r·c/(2 − c)) − hi)
  f.c(1).get(s.lo).get(s.r).get(s.c).mul().c(2).get(s.c).sub().div().sub().get(s.hi).sub().sub().set(s.y);
}

/** exp of any lanes into s.y: y·2^k as fdlibm scales it, then its special values selected over it. */
function anyLaneStatements(f: Lanes64, s: Scratch): void {
  reducedStatements(f, s);
  // (y·2^(k+1000))·2⁻¹⁰⁰⁰ below k = −1021, (y·2)·2¹⁰²³ at k = 1024, else y·2^k (·1).
  const k = (cmp: number, value: number) => () => f.get(s.k).c(value).code.simd(cmp);
  f.select(() => f.c(-1000), () => f.select(() => f.c(1023), () => f.c(0), k(Simd.f64x2Gt, 1023)), k(Simd.f64x2Lt, -1021)).set(s.off);
  f.get(s.y).get(s.k).get(s.off).sub().pow2().mul().get(s.off).pow2().mul().set(s.y);
  const override = (value: () => void, test: () => void) => f.select(value, () => f.get(s.y), test).set(s.y);
  override(() => f.c(1).get(s.x).add(), () => f.get(s.a).c(TINY).code.simd(Simd.f64x2Lt));
  override(() => f.c(Math.E), () => f.get(s.x).c(1).code.simd(Simd.f64x2Eq));
  override(() => f.c(Infinity), () => f.get(s.x).c(O_THRESHOLD).code.simd(Simd.f64x2Gt));
  override(() => f.c(0), () => f.get(s.x).c(U_THRESHOLD).code.simd(Simd.f64x2Lt));
}

/**
 * Math.exp of s.x's lanes into s.y. When both lanes are ordinary (2⁻²⁸ ≤ |x| < 707, so −1021 ≤ k ≤ 1020,
 * and x ≠ 1), fdlibm's result is y·2^k: only that is emitted (NaN is not ordinary).
 */
function expStatements(f: Lanes64, s: Scratch): void {
  const code = f.code;
  f.get(s.x).code.simd(Simd.f64x2Abs);
  f.set(s.a);
  f.get(s.a).c(TINY).code.simd(Simd.f64x2Ge);
  f.get(s.a).c(ORDINARY_BELOW).code.simd(Simd.f64x2Lt).simd(V128_AND);
  f.get(s.x).c(1).code.simd(Simd.f64x2Ne).simd(V128_AND).simd(I64X2_ALL_TRUE).op(Op.if, BLOCK_EMPTY);
  reducedStatements(f, s);
  f.get(s.y).get(s.k).pow2().mul().set(s.y);
  code.op(Op.else);
  anyLaneStatements(f, s);
  code.op(Op.end);
}

/** Replaces the float64x2 on the stack's top by Math.exp of each lane. */
export function emitExpF64x2(code: Code): Code {
  const s = scratchOf(code);
  const f = new Lanes64(code);
  f.set(s.x);
  expStatements(f, s);
  return code.get(s.y);
}

/** A loop's `Math.exp` call, for the emitter: `arg()` pushes the argument's half (or the scalar loop's one lane). */
export function emitExpCall(code: Code, vector: boolean, arg: () => void): Code {
  arg();
  if (vector) return emitExpF64x2(code);
  return emitExpF64x2(code.simd(Simd.f64x2Splat)).simd(Simd.f64x2ExtractLane, 0);
}
