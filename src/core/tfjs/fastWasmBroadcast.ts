import type * as tf from '@tensorflow/tfjs';
import { Code, Op, Simd } from '../wasm/binary';
import { kernelsOn } from '../wasm/kernelsOn';
import { wasmSimdSupported } from '../wasm/loopModule';
import { heapMemoryOf } from './wasmHeapMemory';
import { replaceWasmKernel, type WasmHeapBackend } from './wasmKernelSwap';

/**
 * Multiply, Add, Sub and RealDiv on the wasm backend where one float32 operand is a row the other's rows
 * share: x[..., C] ⊙ v[C] (v's shape [C] or [1, …, 1, C]), either way round. That is how batch norm and layer
 * norm apply their per-channel statistics, scales and shifts, and TF.js 4.22's wasm kernels broadcast with a
 * generic index loop (a batch-norm CNN's TF.js evaluation spent a quarter of its kernel time there: bench/README.md,
 * issue 20). Here each row is one pass of float32x4 operations on TF.js's heap, the last C mod 4 columns one at a
 * time: each element one IEEE float32 operation, as the stock kernel's, so the same numbers. Other shapes and
 * dtypes go to the stock kernel.
 */

type Kernel = 'Multiply' | 'Add' | 'Sub' | 'RealDiv';
/** (x, v, out, rows, cols): byte addresses; out[r, c] = x[r, c] ⊙ v[c], or v[c] ⊙ x[r, c] for the reversed form. */
type RowOp = (x: number, v: number, out: number, rows: number, cols: number) => void;

const OPS: Record<Kernel, { readonly vector: number; readonly scalar: number; readonly commutes: boolean }> = {
  Multiply: { vector: Simd.f32x4Mul, scalar: Op.f32Mul, commutes: true },
  Add: { vector: Simd.f32x4Add, scalar: Op.f32Add, commutes: true },
  Sub: { vector: Simd.f32x4Sub, scalar: Op.f32Sub, commutes: false },
  RealDiv: { vector: Simd.f32x4Div, scalar: Op.f32Div, commutes: false },
};
const KERNELS = Object.keys(OPS) as Kernel[];
const BLOCK_EMPTY = 0x40;

export function installFastWasmBroadcast(): void {
  for (const kernel of KERNELS) {
    replaceWasmKernel(kernel, (stock) => (args) => rowBroadcast(kernel, args) ?? (stock.kernelFunc(args) as tf.TensorInfo));
  }
}

/** The shape of the rows when `row` is one row of `full` (its last axis, leading axes of length 1), else undefined. */
function rowsOf(full: readonly number[], row: readonly number[]): { rows: number; cols: number } | undefined {
  if (full.length === 0 || row.length === 0 || row.length > full.length) return undefined;
  const cols = full[full.length - 1];
  if (row[row.length - 1] !== cols || row.slice(0, -1).some((d) => d !== 1)) return undefined;
  return { rows: full.reduce((n, d) => n * d, 1) / Math.max(cols, 1), cols };
}

function rowBroadcast(kernel: Kernel, args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo | undefined {
  const a = args.inputs.a as tf.TensorInfo;
  const b = args.inputs.b as tf.TensorInfo;
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || !wasmSimdSupported()) return undefined;
  const aRows = rowsOf(a.shape, b.shape);
  const bRows = aRows ? undefined : rowsOf(b.shape, a.shape);
  const shape = aRows ? a.shape : b.shape;
  const grid = aRows ?? bRows;
  // Same shapes are the stock kernel's (no broadcast to index); a row wider than 3 pays the call.
  if (!grid || a.shape.length === b.shape.length && a.shape.every((d, k) => d === b.shape[k]) || grid.cols < 4) return undefined;
  const memory = heapMemoryOf(args.backend);
  if (!memory) return undefined;
  const wasm = args.backend as unknown as WasmHeapBackend;
  const out = wasm.makeOutput([...shape], 'float32');
  // Views after makeOutput: the heap may have grown, which replaces its buffer.
  const [full, row, result] = (aRows ? [a, b, out] : [b, a, out]).map((t) => wasm.typedArrayFromHeap(t));
  if (result.length === 0) return out;
  const reversed = !aRows && !OPS[kernel].commutes;
  functionsOn(memory)[`${kernel}${reversed ? 'Reversed' : ''}`](full.byteOffset, row.byteOffset, result.byteOffset, grid.rows, grid.cols);
  return out;
}

function functionsOn(memory: WebAssembly.Memory): Readonly<Record<string, RowOp>> {
  const functions = () => KERNELS.flatMap((kernel) => [false, true].map((reversed) => ({ name: `${kernel}${reversed ? 'Reversed' : ''}`, code: emitRowOp(kernel, reversed) })));
  return kernelsOn('broadcastRows', memory, functions) as Readonly<Record<string, RowOp>>;
}

/** The function for one operation: per row, float32x4 steps over the columns, then the last cols mod 4 one at a time. */
function emitRowOp(kernel: Kernel, reversed: boolean): Code {
  const c = new Code(['i32', 'i32', 'i32', 'i32', 'i32'], []);
  const [x, v, out, rows, cols] = [0, 1, 2, 3, 4];
  const [r, col, vectorEnd] = [c.local('i32'), c.local('i32'), c.local('i32')];
  const { vector, scalar } = OPS[kernel];
  c.get(cols).i32(-4).op(Op.i32And).set(vectorEnd);
  c.i32(0).set(r);
  c.op(Op.block, BLOCK_EMPTY, Op.loop, BLOCK_EMPTY);
  c.get(r).get(rows).op(Op.i32GeS, Op.brIf, 1);
  for (const width of [4, 1] as const) {
    if (width === 4) c.i32(0).set(col);
    else c.get(vectorEnd).set(col);
    c.op(Op.block, BLOCK_EMPTY, Op.loop, BLOCK_EMPTY);
    c.get(col).get(width === 4 ? vectorEnd : cols).op(Op.i32GeS, Op.brIf, 1);
    // out + 4·col, then the operands in the operation's order.
    c.get(out).get(col).i32(2).op(Op.i32Shl).op(Op.i32Add);
    const operands = [() => columnOf(c, x, col), () => columnOf(c, v, col)];
    for (const operand of reversed ? operands.reverse() : operands) {
      operand();
      if (width === 4) c.simdMemory(Simd.load, 0);
      else c.memory(Op.f32Load, 2, 0);
    }
    if (width === 4) c.simd(vector).simdMemory(Simd.store, 0);
    else c.op(scalar).memory(Op.f32Store, 2, 0);
    c.get(col).i32(width).op(Op.i32Add).set(col);
    c.op(Op.br, 0, Op.end, Op.end);
  }
  // The next row of x and out.
  c.get(x).get(cols).i32(2).op(Op.i32Shl).op(Op.i32Add).set(x);
  c.get(out).get(cols).i32(2).op(Op.i32Shl).op(Op.i32Add).set(out);
  c.get(r).i32(1).op(Op.i32Add).set(r);
  c.op(Op.br, 0, Op.end, Op.end);
  return c;
}

/** The address of column `col` of the row at `base` (x's current row, or v) pushed. */
function columnOf(c: Code, base: number, col: number): void {
  c.get(base).get(col).i32(2).op(Op.i32Shl).op(Op.i32Add);
}
