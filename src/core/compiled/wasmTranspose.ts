/**
 * A matrix transposed inside a compiled program's WebAssembly memory (or TensorFlow.js wasm backend's
 * heap: the conv filter gradient's patches, fastWasmConvGradients.ts), in 4 × 4 tiles of float32x4
 * shuffles, 16 rows at a time: what a product with a transposed right operand does first
 * (productKernels.ts, batchMatMul), since gemm reads b by rows. Moves values only, so the bits are the JS
 * transpose's.
 */
import { Code, Op, Simd } from '../wasm/binary';
import { kernelsOn } from '../wasm/kernelsOn';
import { wasmSimdSupported } from '../wasm/loopModule';
import { memoryOfAll } from './gemmKernels';

type Transpose = (from: number, into: number, rows: number, cols: number) => void;

const BLOCK_EMPTY = 0x40;

/**
 * into[c·rows + r] = from[r·cols + c] for the stored rows × cols matrix `from`, when both are views of one
 * registered program memory; false (nothing written) otherwise. The rows and columns past the last
 * multiple of 4 (a dense layer's 10 outputs) are moved one number at a time.
 */
export function wasmTranspose(from: Float32Array, rows: number, cols: number, into: Float32Array): boolean {
  const memory = memoryOfAll(from, into);
  if (!memory || !wasmSimdSupported()) return false;
  transposeOf(memory)(from.byteOffset, into.byteOffset, rows, cols);
  return true;
}

/**
 * wasmTranspose on a memory of the caller's (TensorFlow.js wasm backend's heap), shared or not, when both
 * views are of its current buffer (taken after the last allocation) and SIMD is there; false otherwise.
 */
export function wasmTransposeOn(memory: WebAssembly.Memory, from: Float32Array, rows: number, cols: number, into: Float32Array): boolean {
  const buffer = memory.buffer;
  if (from.buffer !== buffer || into.buffer !== buffer || !wasmSimdSupported()) return false;
  transposeOf(memory)(from.byteOffset, into.byteOffset, rows, cols);
  return true;
}

function transposeOf(memory: WebAssembly.Memory): Transpose {
  return kernelsOn('transpose', memory, () => [{ name: 'transpose', code: emitTranspose() }]).transpose as Transpose;
}

/** transpose(from, into, rows, cols): byte addresses; 4 × 4 tiles up to the last multiples of 4, then the edges. */
function emitTranspose(): Code {
  const c = new Code(['i32', 'i32', 'i32', 'i32'], []);
  const [from, into, rows, cols] = [0, 1, 2, 3];
  const r = c.local('i32'), col = c.local('i32'), src = c.local('i32'), dst = c.local('i32');
  const rowBytes = c.local('i32'), colBytes = c.local('i32'), tileRows = c.local('i32'), tileCols = c.local('i32');
  const lanes = Array.from({ length: 4 }, () => c.local('v128'));
  const pairs = Array.from({ length: 4 }, () => c.local('v128'));
  c.get(cols).i32(2).op(Op.i32Shl).set(rowBytes);
  c.get(rows).i32(2).op(Op.i32Shl).set(colBytes);
  c.get(rows).i32(-4).op(Op.i32And).set(tileRows);
  c.get(cols).i32(-4).op(Op.i32And).set(tileCols);
  const loopUntil = (index: number, start: number | (() => void), end: number, body: () => void, step = 4) => {
    if (typeof start === 'number') c.i32(start);
    else start();
    c.set(index);
    c.op(Op.block, BLOCK_EMPTY, Op.loop, BLOCK_EMPTY);
    c.get(index).get(end).op(Op.i32GeS, Op.brIf, 1);
    body();
    c.get(index).i32(step).op(Op.i32Add).set(index);
    c.op(Op.br, 0, Op.end, Op.end);
  };
  // One number: into[col·rows + r] = from[r·cols + col].
  const moveOne = () => {
    c.get(into).get(col).get(colBytes).op(Op.i32Mul).op(Op.i32Add).get(r).i32(2).op(Op.i32Shl).op(Op.i32Add);
    c.get(from).get(r).get(rowBytes).op(Op.i32Mul).op(Op.i32Add).get(col).i32(2).op(Op.i32Shl).op(Op.i32Add);
    c.memory(Op.f32Load, 2, 0).memory(Op.f32Store, 2, 0);
  };
  // The columns past the tiles, for every row; then the rows past the tiles, for the tiles' columns.
  loopUntil(r, 0, rows, () => loopUntil(col, () => c.get(tileCols), cols, moveOne, 1), 1);
  loopUntil(r, () => c.get(tileRows), rows, () => loopUntil(col, 0, tileCols, moveOne, 1), 1);
  const tile = () => {
    // src = from + (r·cols + col)·4, dst = into + (col·rows + r)·4
    c.get(from).get(r).get(rowBytes).op(Op.i32Mul).op(Op.i32Add).get(col).i32(2).op(Op.i32Shl).op(Op.i32Add).set(src);
    c.get(into).get(col).get(colBytes).op(Op.i32Mul).op(Op.i32Add).get(r).i32(2).op(Op.i32Shl).op(Op.i32Add).set(dst);
    lanes.forEach((lane, k) => {
      c.get(src);
      if (k > 0) c.get(rowBytes).i32(k).op(Op.i32Mul).op(Op.i32Add);
      c.simdMemory(Simd.load, 0).set(lane);
    });
    // Rows [x0 x1 x2 x3]: interleave pairs of rows, then pairs of pairs, giving the columns.
    c.get(lanes[0]).get(lanes[1]).shuffle32([0, 4, 1, 5]).set(pairs[0]);
    c.get(lanes[0]).get(lanes[1]).shuffle32([2, 6, 3, 7]).set(pairs[1]);
    c.get(lanes[2]).get(lanes[3]).shuffle32([0, 4, 1, 5]).set(pairs[2]);
    c.get(lanes[2]).get(lanes[3]).shuffle32([2, 6, 3, 7]).set(pairs[3]);
    const columns: [number, number, [number, number, number, number]][] = [
      [pairs[0], pairs[2], [0, 1, 4, 5]], [pairs[0], pairs[2], [2, 3, 6, 7]], [pairs[1], pairs[3], [0, 1, 4, 5]], [pairs[1], pairs[3], [2, 3, 6, 7]],
    ];
    columns.forEach(([x, y, order], k) => {
      c.get(dst);
      if (k > 0) c.get(colBytes).i32(k).op(Op.i32Mul).op(Op.i32Add);
      c.get(x).get(y).shuffle32(order).simdMemory(Simd.store, 0);
    });
  };
  // Blocks of 16 rows, the tiles of a block column by column: each output row gets a whole 64-byte line
  // before the next column. Row by row, a tall matrix's output rows (8 KiB apart for a conv gradient's
  // [2048, 144] patches) all fall in one L1 set and evict each other between their 16-byte writes.
  const [block, blockEnd] = [c.local('i32'), c.local('i32')];
  loopUntil(block, 0, tileRows, () => {
    // blockEnd = min(block + 16, tileRows)
    c.get(block).i32(16).op(Op.i32Add).tee(blockEnd).get(tileRows).get(blockEnd).get(tileRows).op(Op.i32LtS).op(Op.select).set(blockEnd);
    loopUntil(col, 0, tileCols, () => loopUntil(r, () => c.get(block), blockEnd, tile));
  }, 16);
  return c;
}
