/**
 * What the inlined Math functions (transcendentalTanh.ts, transcendentalExp.ts) share: a small
 * stack-machine vocabulary over float64x2 values, the SIMD opcodes binary.ts's table leaves out and
 * fdlibm's doubles given by their words.
 */
import { Simd, type Code } from './binary';

/** SIMD opcodes binary.ts's table leaves out (WebAssembly Core Specification 2.0, 5.4.8). */
export const V128_AND = 0x4e;
export const V128_OR = 0x50;
export const F64X2_TRUNC = 0x7a;
export const I64X2_SHL = 0xcb;
export const I64X2_ALL_TRUE = 0xc3;
export const BLOCK_EMPTY = 0x40;

/** A double from its high and low 32-bit words. */
export function fromWords(high: number, low = 0): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setUint32(0, high);
  view.setUint32(4, low);
  return view.getFloat64(0);
}

/** 2⁵² + 1023: k + MAGIC holds k + 1023 in its low mantissa bits, which a left shift by 52 makes 2^k's exponent. */
const MAGIC = 2 ** 52 + 1023;
export const SIGN_BIT = -0;

/** A v128 local. */
export type Lanes = number;
export type Emit = () => void;

const bitsOf = (value: number) => [...new Uint8Array(new Float64Array([value]).buffer)];

/** A small stack-machine vocabulary over float64x2 values. */
export class Lanes64 {
  constructor(readonly code: Code) {}
  c(value: number): this {
    this.code.simd(Simd.v128Const, ...bitsOf(value), ...bitsOf(value));
    return this;
  }
  get(local: Lanes): this {
    this.code.get(local);
    return this;
  }
  /** Where each statement (ending in a local.set) ends in the code's bytes. */
  readonly ends: number[] = [];
  set(local: Lanes): this {
    this.code.set(local);
    this.ends.push(this.code.bytes.length);
    return this;
  }
  add(): this { this.code.simd(Simd.f64x2Add); return this; }
  sub(): this { this.code.simd(Simd.f64x2Sub); return this; }
  mul(): this { this.code.simd(Simd.f64x2Mul); return this; }
  div(): this { this.code.simd(Simd.f64x2Div); return this; }
  neg(): this { this.code.simd(Simd.f64x2Neg); return this; }
  /** Lanes of `yes` where `test` is all ones, else `no`. */
  select(yes: Emit, no: Emit, test: Emit): this {
    yes();
    no();
    test();
    this.code.simd(Simd.bitselect);
    return this;
  }
  /** 2^k for the integral k on the stack (−1023 < k < 1024). */
  pow2(): this {
    this.c(MAGIC).add();
    this.code.i32(52).simd(I64X2_SHL);
    return this;
  }
}
