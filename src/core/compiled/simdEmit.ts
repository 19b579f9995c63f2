/**
 * Small pieces of code the convolution kernels share (implicitConvEmit.ts, inputGradientWasm.ts): a loop between
 * constants, a float32x4 multiply-add as the products take it (fused where relaxed SIMD fuses, gemmKernels.ts),
 * and a zero vector.
 */
import { Op, Simd, type Code } from '../wasm/binary';

const BLOCK_EMPTY = 0x40;

/** for (v = from; v < to; v += step) body(), from, to and step constants. */
export function forRange(c: Code, v: number, from: number, to: number, step: number, body: () => void): void {
  c.i32(from).set(v);
  c.op(Op.block, BLOCK_EMPTY, Op.loop, BLOCK_EMPTY);
  c.get(v).i32(to - step).op(Op.i32GtS, Op.brIf, 1);
  body();
  c.get(v).i32(step).op(Op.i32Add).set(v);
  c.op(Op.br, 0, Op.end, Op.end);
}

/** acc += a·b: f32x4.relaxed_madd when `fused`, else f32x4.mul then f32x4.add. */
export function multiplyAdd(c: Code, fused: boolean, acc: number, a: number, b: number): void {
  if (fused) c.get(a).get(b).get(acc).simd(Simd.f32x4RelaxedMadd).set(acc);
  else c.get(acc).get(a).get(b).simd(Simd.f32x4Mul).simd(Simd.f32x4Add).set(acc);
}

/** Pushes a float32x4 of +0. */
export const zeroVector = (c: Code): Code => c.simd(Simd.v128Const, ...new Array<number>(16).fill(0));
