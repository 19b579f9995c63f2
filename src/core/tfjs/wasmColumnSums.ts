/**
 * fastWasmReductions.ts' column sums as WebAssembly SIMD on TensorFlow.js wasm backend's heap: sums[c] =
 * x[0, c] + x[1, c] + … in row order, each addition a float32 one (f32x4.add lane by lane, what JS's
 * Math.fround(s + x) rounds to), so the bits are the JS loop's. Sixteen columns at a time in four float32x4
 * accumulators (four chains of additions hide each other's latency), then four, then one.
 */
import { Code, Op, Simd } from '../wasm/binary';
import { kernelsOn } from '../wasm/kernelsOn';
import { wasmSimdSupported } from '../wasm/loopModule';

type SumColumns = (x: number, sums: number, rows: number, cols: number) => void;

const BLOCK_EMPTY = 0x40;

/**
 * The column sums of x as [rows, cols] into sums (cols numbers) when both are views of the memory's current
 * buffer (taken after the last allocation) and SIMD is there; false (nothing written) otherwise.
 */
export function wasmSumColumns(memory: WebAssembly.Memory, x: Float32Array, sums: Float32Array, rows: number, cols: number): boolean {
  const buffer = memory.buffer;
  if (x.buffer !== buffer || sums.buffer !== buffer || !wasmSimdSupported()) return false;
  const fn = kernelsOn('sumColumns', memory, () => [{ name: 'sumColumns', code: emitSumColumns() }]).sumColumns as SumColumns;
  fn(x.byteOffset, sums.byteOffset, rows, cols);
  return true;
}

/** sumColumns(x, sums, rows, cols): byte addresses; columns in groups of 16, 4, then 1. */
function emitSumColumns(): Code {
  const c = new Code(['i32', 'i32', 'i32', 'i32'], []);
  const [x, sums, rows, cols] = [0, 1, 2, 3];
  const [col, r, at, rowBytes] = [c.local('i32'), c.local('i32'), c.local('i32'), c.local('i32')];
  c.get(cols).i32(2).op(Op.i32Shl).set(rowBytes);
  c.i32(0).set(col);
  for (const [width, type] of [[16, 'v128'], [4, 'v128'], [1, 'f32']] as const) {
    const lanes = type === 'v128' ? 4 : 1;
    const accumulators = Array.from({ length: width / lanes }, () => c.local(type));
    // while (col + width ≤ cols): sum columns col … col + width − 1 down the rows
    c.op(Op.block, BLOCK_EMPTY, Op.loop, BLOCK_EMPTY);
    c.get(col).i32(width).op(Op.i32Add).get(cols).op(Op.i32GtS, Op.brIf, 1);
    accumulators.forEach((a) => (type === 'v128' ? c.simd(Simd.v128Const, ...new Array<number>(16).fill(0)) : c.f32(0)).set(a));
    c.get(x).get(col).i32(2).op(Op.i32Shl).op(Op.i32Add).set(at);
    c.i32(0).set(r);
    c.op(Op.block, BLOCK_EMPTY, Op.loop, BLOCK_EMPTY);
    c.get(r).get(rows).op(Op.i32GeS, Op.brIf, 1);
    accumulators.forEach((a, k) => {
      c.get(a).get(at);
      if (type === 'v128') c.simdMemory(Simd.load, 16 * k).simd(Simd.f32x4Add);
      else c.memory(Op.f32Load, 2, 0).op(Op.f32Add);
      c.set(a);
    });
    c.get(at).get(rowBytes).op(Op.i32Add).set(at);
    c.get(r).i32(1).op(Op.i32Add).set(r);
    c.op(Op.br, 0, Op.end, Op.end);
    accumulators.forEach((a, k) => {
      c.get(sums).get(col).i32(2).op(Op.i32Shl).op(Op.i32Add).get(a);
      if (type === 'v128') c.simdMemory(Simd.store, 16 * k);
      else c.memory(Op.f32Store, 2, 0);
    });
    c.get(col).i32(width).op(Op.i32Add).set(col);
    c.op(Op.br, 0, Op.end, Op.end);
  }
  return c;
}
