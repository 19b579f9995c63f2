/**
 * Which WebAssembly instruction each loop-IR operation becomes: [scalar, SIMD] opcode pairs, float32
 * (f32 / f32x4) and float64 (f64 / f64x2), for the emitters in this folder.
 */
import { Op, Simd } from './binary';
import type { BinaryOp, Comparison, ReduceOp, UnaryOp } from './loopIR';

export const BIN32: Record<BinaryOp, [number, number]> = {
  add: [Op.f32Add, Simd.f32x4Add], sub: [Op.f32Sub, Simd.f32x4Sub], mul: [Op.f32Mul, Simd.f32x4Mul],
  div: [Op.f32Div, Simd.f32x4Div], min: [Op.f32Min, Simd.f32x4Min], max: [Op.f32Max, Simd.f32x4Max],
};
export const BIN64: Record<BinaryOp, [number, number]> = {
  add: [Op.f64Add, Simd.f64x2Add], sub: [Op.f64Sub, Simd.f64x2Sub], mul: [Op.f64Mul, Simd.f64x2Mul],
  div: [Op.f64Div, Simd.f64x2Div], min: [Op.f64Min, Simd.f64x2Min], max: [Op.f64Max, Simd.f64x2Max],
};
export const UN32: Record<UnaryOp, [number, number]> = {
  neg: [Op.f32Neg, Simd.f32x4Neg], abs: [Op.f32Abs, Simd.f32x4Abs], sqrt: [Op.f32Sqrt, Simd.f32x4Sqrt],
  floor: [Op.f32Floor, Simd.f32x4Floor], ceil: [Op.f32Ceil, Simd.f32x4Ceil],
};
export const UN64: Record<UnaryOp, [number, number]> = {
  neg: [Op.f64Neg, Simd.f64x2Neg], abs: [Op.f64Abs, Simd.f64x2Abs], sqrt: [Op.f64Sqrt, Simd.f64x2Sqrt],
  floor: [Op.f64Floor, Simd.f64x2Floor], ceil: [Op.f64Ceil, Simd.f64x2Ceil],
};
export const CMP32: Record<Comparison, [number, number]> = {
  eq: [Op.f32Eq, Simd.f32x4Eq], ne: [Op.f32Ne, Simd.f32x4Ne], lt: [Op.f32Lt, Simd.f32x4Lt],
  gt: [Op.f32Gt, Simd.f32x4Gt], le: [Op.f32Le, Simd.f32x4Le], ge: [Op.f32Ge, Simd.f32x4Ge],
};
export const CMP64: Record<Comparison, [number, number]> = {
  eq: [Op.f64Eq, Simd.f64x2Eq], ne: [Op.f64Ne, Simd.f64x2Ne], lt: [Op.f64Lt, Simd.f64x2Lt],
  gt: [Op.f64Gt, Simd.f64x2Gt], le: [Op.f64Le, Simd.f64x2Le], ge: [Op.f64Ge, Simd.f64x2Ge],
};
export const REDUCE64: Record<ReduceOp, [number, number]> = {
  sum: [Op.f64Add, Simd.f64x2Add], prod: [Op.f64Mul, Simd.f64x2Mul], max: [Op.f64Max, Simd.f64x2Max], min: [Op.f64Min, Simd.f64x2Min],
};
