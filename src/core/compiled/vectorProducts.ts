/**
 * batchMatMul's small matrix–vector products (n = 1: a dense layer's one-output forward a·b and its
 * weight gradient aᵀ·b) as WebAssembly SIMD over a compiled program's memory, with the bits of
 * standaloneKernels.ts's JS loops, which sum in float64 as TensorFlow.js's cpu kernel does:
 * - a·b: each row's dot in four float64 partial sums over p mod 4 (two float64x2 accumulators), the
 *   tail into the first, combined as (s0 + s1) + (s2 + s3), stored as float32;
 * - aᵀ·b: each out[i] starts at 0 and adds ((a₀b₀ + a₁b₁) + a₂b₂) + a₃b₃ per four rows p (the tail one
 *   at a time), rounded to float32 after each add as the JS loop's float32 store rounds it; two i per
 *   float64x2, an odd last i in scalar float64.
 * - a·b with k = 1 (an outer product): a[i]·b[j] + 0 in float32 lanes, the float32 product being the exact
 *   product rounded once, as the JS loop's store rounds it (+ 0 turns -0 into +0 in both).
 * A product of two float32 values is exact in float64, so the lanes compute what the JS numbers do.
 */
import { Code, encodeModule, Op, Simd } from '../wasm/binary';
import { wasmSimdSupported } from '../wasm/loopModule';
import { memoryOfAll } from './gemmKernels';

type VectorProduct = (a: number, b: number, out: number, m: number, k: number) => void;
type Functions = { dots: VectorProduct; transposedDots: VectorProduct; outer: VectorProduct };

const LOAD64_ZERO = 0x5d;
const LOAD32_SPLAT = 0x09;
const BLOCK_EMPTY = 0x40;
const instances = new WeakMap<WebAssembly.Memory, Functions>();
let vectorModule: WebAssembly.Module | undefined;

/**
 * out[m] = a[m×k]·b[k] (transposeA false) or a[k×m]ᵀ·b[k] over the memory the three views share, at
 * element offsets aBase, bBase, oBase; false when they are not in one registered program memory.
 */
export function wasmVectorProduct(
  a: Float32Array, aBase: number, b: Float32Array, bBase: number, out: Float32Array, oBase: number, m: number, k: number, transposeA: boolean,
): boolean {
  const memory = memoryOfAll(a, b, out);
  if (!memory || k < 1 || !wasmSimdSupported()) return false;
  const fns = functionsFor(memory);
  (transposeA ? fns.transposedDots : fns.dots)(a.byteOffset + 4 * aBase, b.byteOffset + 4 * bBase, out.byteOffset + 4 * oBase, m, k);
  return true;
}

/** out[m×n] = a[m]·b[n] (k = 1) over the memory the three views share, at element offsets; false as above. */
export function wasmOuterProduct(a: Float32Array, aBase: number, b: Float32Array, bBase: number, out: Float32Array, oBase: number, m: number, n: number): boolean {
  const memory = memoryOfAll(a, b, out);
  if (!memory || !wasmSimdSupported()) return false;
  functionsFor(memory).outer(a.byteOffset + 4 * aBase, b.byteOffset + 4 * bBase, out.byteOffset + 4 * oBase, m, n);
  return true;
}

function functionsFor(memory: WebAssembly.Memory): Functions {
  let fns = instances.get(memory);
  if (!fns) {
    const functions = [{ name: 'dots', code: emitDots() }, { name: 'transposedDots', code: emitTransposedDots() }, { name: 'outer', code: emitOuter() }];
    vectorModule ??= new WebAssembly.Module(encodeModule(functions, 1));
    fns = new WebAssembly.Instance(vectorModule, { env: { memory } }).exports as unknown as Functions;
    instances.set(memory, fns);
  }
  return fns;
}

/** outer(a, b, out, m, n): out[i·n + j] = a[i]·b[j] + 0, four j at a time, the last n mod 4 one by one. */
function emitOuter(): Code {
  const c = new Code(['i32', 'i32', 'i32', 'i32', 'i32'], []);
  const [a, b, out, m, n] = [0, 1, 2, 3, 4];
  const i = c.local('i32'), j = c.local('i32'), row = c.local('i32'), av = c.local('v128'), zero = c.local('v128');
  zeroVector(c).set(zero);
  c.get(out).set(row);
  c.i32(0).set(i);
  loopWhile(c, () => c.get(i).get(m).op(Op.i32GeS), () => {
    c.get(a).get(i).i32(2).op(Op.i32Shl).op(Op.i32Add).simdMemory(LOAD32_SPLAT, 0).set(av);
    c.i32(0).set(j);
    const at = (base: number) => c.get(base).get(j).i32(2).op(Op.i32Shl).op(Op.i32Add);
    loopWhile(c, () => c.get(j).i32(4).op(Op.i32Add).get(n).op(Op.i32GtS), () => {
      at(row).get(av);
      at(b).simdMemory(Simd.load, 0).simd(Simd.f32x4Mul).get(zero).simd(Simd.f32x4Add).simdMemory(Simd.store, 0);
      c.get(j).i32(4).op(Op.i32Add).set(j);
    });
    loopWhile(c, () => c.get(j).get(n).op(Op.i32GeS), () => {
      at(row).get(av).simd(Simd.f32x4ExtractLane, 0);
      at(b).memory(Op.f32Load, 2, 0).op(Op.f32Mul).f32(0).op(Op.f32Add).memory(Op.f32Store, 2, 0);
      c.get(j).i32(1).op(Op.i32Add).set(j);
    });
    c.get(row).get(n).i32(2).op(Op.i32Shl).op(Op.i32Add).set(row);
    c.get(i).i32(1).op(Op.i32Add).set(i);
  });
  return c;
}

/** `block loop … br 0 end end` with a leading exit test (`exit` pushes an i32, true to leave). */
function loopWhile(c: Code, exit: () => void, body: () => void): void {
  c.op(Op.block, BLOCK_EMPTY, Op.loop, BLOCK_EMPTY);
  exit();
  c.op(Op.brIf, 1);
  body();
  c.op(Op.br, 0, Op.end, Op.end);
}

const zeroVector = (c: Code) => c.simd(Simd.v128Const, ...new Array<number>(16).fill(0));
const F64_PROMOTE_LOW = Simd.f64x2PromoteLowF32x4;

/** dots(a, b, out, m, k): out[i] = Σₚ a[i·k + p]·b[p] in the JS dot's order (file comment). */
function emitDots(): Code {
  const c = new Code(['i32', 'i32', 'i32', 'i32', 'i32'], []);
  const [a, b, out, m, k] = [0, 1, 2, 3, 4];
  const i = c.local('i32'), p = c.local('i32'), aPtr = c.local('i32'), bPtr = c.local('i32');
  const acc01 = c.local('v128'), acc23 = c.local('v128'), s0 = c.local('f64');
  const pair = (offset: number, acc: number) => {
    c.get(acc).get(aPtr).simdMemory(LOAD64_ZERO, offset).simd(F64_PROMOTE_LOW);
    c.get(bPtr).simdMemory(LOAD64_ZERO, offset).simd(F64_PROMOTE_LOW).simd(Simd.f64x2Mul).simd(Simd.f64x2Add).set(acc);
  };
  c.get(a).set(aPtr);
  c.i32(0).set(i);
  loopWhile(c, () => c.get(i).get(m).op(Op.i32GeS), () => {
    zeroVector(c).set(acc01);
    zeroVector(c).set(acc23);
    c.get(b).set(bPtr);
    c.i32(0).set(p);
    loopWhile(c, () => c.get(p).i32(4).op(Op.i32Add).get(k).op(Op.i32GtS), () => {
      pair(0, acc01);
      pair(8, acc23);
      c.get(aPtr).i32(16).op(Op.i32Add).set(aPtr).get(bPtr).i32(16).op(Op.i32Add).set(bPtr).get(p).i32(4).op(Op.i32Add).set(p);
    });
    c.get(acc01).simd(Simd.f64x2ExtractLane, 0).set(s0);
    loopWhile(c, () => c.get(p).get(k).op(Op.i32GeS), () => {
      c.get(s0).get(aPtr).memory(Op.f32Load, 2, 0).op(Op.f64PromoteF32).get(bPtr).memory(Op.f32Load, 2, 0).op(Op.f64PromoteF32);
      c.op(Op.f64Mul, Op.f64Add).set(s0);
      c.get(aPtr).i32(4).op(Op.i32Add).set(aPtr).get(bPtr).i32(4).op(Op.i32Add).set(bPtr).get(p).i32(1).op(Op.i32Add).set(p);
    });
    // out[i] = (s0 + s1) + (s2 + s3)
    c.get(out).get(i).i32(2).op(Op.i32Shl).op(Op.i32Add);
    c.get(s0).get(acc01).simd(Simd.f64x2ExtractLane, 1).op(Op.f64Add);
    c.get(acc23).simd(Simd.f64x2ExtractLane, 0).get(acc23).simd(Simd.f64x2ExtractLane, 1).op(Op.f64Add).op(Op.f64Add);
    c.op(Op.f32DemoteF64).memory(Op.f32Store, 2, 0);
    c.get(i).i32(1).op(Op.i32Add).set(i);
  });
  return c;
}

/** transposedDots(a, b, out, m, k): out[i] = Σₚ a[p·m + i]·b[p] in the JS loop's order and roundings (file comment). */
function emitTransposedDots(): Code {
  const c = new Code(['i32', 'i32', 'i32', 'i32', 'i32'], []);
  const [a, b, out, m, k] = [0, 1, 2, 3, 4];
  const v = { i: c.local('i32'), p: c.local('i32'), aPtr: c.local('i32'), bPtr: c.local('i32'), rowBytes: c.local('i32'), accV: c.local('v128'), accS: c.local('f64') };
  c.get(m).i32(2).op(Op.i32Shl).set(v.rowBytes);
  c.i32(0).set(v.i);
  // Two i at a time, then an odd last one.
  loopWhile(c, () => c.get(v.i).i32(2).op(Op.i32Add).get(m).op(Op.i32GtS), () => {
    emitColumnSums(c, { a, b, out, k }, v, true);
    c.get(v.i).i32(2).op(Op.i32Add).set(v.i);
  });
  c.get(v.i).get(m).op(Op.i32LtS, Op.if, BLOCK_EMPTY);
  emitColumnSums(c, { a, b, out, k }, v, false);
  c.op(Op.end);
  return c;
}

type ColumnLocals = { i: number; p: number; aPtr: number; bPtr: number; rowBytes: number; accV: number; accS: number };

/** out[i] (and out[i + 1] when `pair`) of aᵀ·b: float64 lanes, rounded to float32 after each add. */
function emitColumnSums(c: Code, params: { a: number; b: number; out: number; k: number }, v: ColumnLocals, pair: boolean): void {
  const acc = pair ? v.accV : v.accS;
  const [mul, add] = pair ? [() => c.simd(Simd.f64x2Mul), () => c.simd(Simd.f64x2Add)] : [() => c.op(Op.f64Mul), () => c.op(Op.f64Add)];
  const round = () => (pair ? c.simd(Simd.f32x4DemoteF64x2Zero).simd(F64_PROMOTE_LOW) : c.op(Op.f32DemoteF64, Op.f64PromoteF32));
  // a[p·m + i] (and i + 1) of row `row` after aPtr, times b[p + row] (splatted for the pair).
  const term = (row: number) => {
    c.get(v.aPtr);
    if (row > 0) c.get(v.rowBytes).i32(row).op(Op.i32Mul).op(Op.i32Add);
    if (pair) c.simdMemory(LOAD64_ZERO, 0).simd(F64_PROMOTE_LOW);
    else c.memory(Op.f32Load, 2, 0).op(Op.f64PromoteF32);
    c.get(v.bPtr).memory(Op.f32Load, 2, 4 * row).op(Op.f64PromoteF32);
    if (pair) c.simd(Simd.f64x2Splat);
    mul();
  };
  if (pair) zeroVector(c).set(acc);
  else c.f64(0).set(acc);
  c.get(params.a).get(v.i).i32(2).op(Op.i32Shl).op(Op.i32Add).set(v.aPtr);
  c.get(params.b).set(v.bPtr);
  c.i32(0).set(v.p);
  const advance = (rows: number) => {
    c.get(v.aPtr).get(v.rowBytes).i32(rows).op(Op.i32Mul).op(Op.i32Add).set(v.aPtr);
    c.get(v.bPtr).i32(4 * rows).op(Op.i32Add).set(v.bPtr).get(v.p).i32(rows).op(Op.i32Add).set(v.p);
  };
  loopWhile(c, () => c.get(v.p).i32(4).op(Op.i32Add).get(params.k).op(Op.i32GtS), () => {
    c.get(acc);
    term(0);
    for (const row of [1, 2, 3]) {
      term(row);
      add();
    }
    add();
    round();
    c.set(acc);
    advance(4);
  });
  loopWhile(c, () => c.get(v.p).get(params.k).op(Op.i32GeS), () => {
    c.get(acc);
    term(0);
    add();
    round();
    c.set(acc);
    advance(1);
  });
  c.get(params.out).get(v.i).i32(2).op(Op.i32Shl).op(Op.i32Add);
  if (pair) {
    c.get(acc).simd(Simd.f32x4DemoteF64x2Zero).simd(0x5b, 2, 0, 0); // v128.store64_lane: lanes 0 and 1 (out[i], out[i + 1])
  } else {
    c.get(acc).op(Op.f32DemoteF64).memory(Op.f32Store, 2, 0);
  }
}
