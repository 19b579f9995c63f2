/**
 * The WebAssembly SIMD product kernel of gemmKernels.ts (its header says what the blocks are and why):
 * gemm(a, rowBytesA, colBytesA, b, out, m, k, n, accumulate, bias, epilogue) over one memory, emitted once
 * per process. The epilogue is a convolution's bias and relu (convEpilogues.ts) applied to each block's
 * accumulators before the last chunk of k stores them: the loop that read the product back, added the bias
 * and took the relu is gone, and the same float32 operations give the same bits.
 */
import { Code, Op, Simd } from '../wasm/binary';

/** Rows of b (and columns of a) per call: the full-data products (k = 10,000) otherwise stream both from memory once per block of out. */
export const K_CHUNK = 128;

const BLOCK_EMPTY = 0x40;
/** v128.load32_splat (WebAssembly Core Specification 2.0, 5.4.8). */
const LOAD32_SPLAT = 0x09;
/**
 * Rows and 4-wide column vectors per block, largest first (the edges take the smaller blocks), by n, first
 * match: 2 × 16 where n ≥ 16 (fewer loads per multiply-add), 4 × 8 below (n = 10 would leave 16-wide blocks
 * unused). Both keep accumulators and b's vectors within the 16 SIMD registers V8 gives WebAssembly on x64
 * (bench/README.md, issue 20; 3 × 12, 5 × 8 and 6 × 8 measured no faster).
 */
const BLOCKINGS = [
  { minN: 16, rows: [2, 1], vectors: [4, 2, 1] },
  { minN: 0, rows: [4, 1], vectors: [2, 1] },
];
const MAX_ROWS = 4;
const MAX_VECTORS = 4;

/**
 * How a block's columns are read and written: `full` vectors of 4 columns; `tail`, the last 4 columns of a row
 * whose last n mod 4 (`tail` local) are stored, the others belonging to the blocks before it; `single`, one column
 * in lane 0 (b and out read as splats), for n < 4; `ragged`, a whole row in one block (j = 0): full vectors, the
 * last one being the row's last 4 columns (its first 4 − n mod 4 columns computed twice, stored once).
 */
type Columns = 'full' | 'tail' | 'single' | 'ragged';

/** The epilogue argument's bits: add bias[j] to column j, then (or alone) relu, x < 0 ? 0 : x (tf.relu: −0 and NaN kept). */
export const EPILOGUE_BIAS = 1;
export const EPILOGUE_RELU = 2;

/**
 * gemm(a, rowBytesA, colBytesA, b, out, m, k, n, accumulate, bias, epilogue): byte addresses, k ≥ 1;
 * accumulate ≠ 0 adds onto out's values instead of starting from 0; epilogue (EPILOGUE_* bits, 0 for none)
 * applied as the last chunk of k stores. `fused`: each term added with f32x4.relaxed_madd (relaxedSimd.ts),
 * else f32x4.mul then f32x4.add. A column's sum is the same whichever block or lane computes it.
 */
export function emitGemm(fused: boolean): Code {
  const c = new Code(['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'], []);
  const [a, rowA, colA, b, out, m, k, n, accumulate, bias, epilogue] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const v = {
    i: c.local('i32'), j: c.local('i32'), p: c.local('i32'), aPtr: c.local('i32'), bPtr: c.local('i32'), cPtr: c.local('i32'), kLeft: c.local('i32'),
    /** The epilogue's bits in the last chunk of k, else 0. */
    epilogueNow: c.local('i32'),
    rowBytes: c.local('i32'), vectorBytes: c.local('i32'), tail: c.local('i32'), tailAt: c.local('i32'),
    rowOffsets: Array.from({ length: MAX_ROWS }, () => c.local('i32')),
    acc: Array.from({ length: MAX_ROWS }, () => Array.from({ length: MAX_VECTORS }, () => c.local('v128'))),
    bv: Array.from({ length: MAX_VECTORS }, () => c.local('v128')),
    av: c.local('v128'),
  };
  const params = { a, colA, b, out, k, accumulate, fused, bias };
  c.get(n).i32(2).op(Op.i32Shl).set(v.rowBytes);
  c.get(n).i32(-4).op(Op.i32And).i32(2).op(Op.i32Shl).set(v.vectorBytes);
  c.get(n).i32(3).op(Op.i32And).set(v.tail);
  c.get(v.rowBytes).i32(16).op(Op.i32Sub).set(v.tailAt);
  v.rowOffsets.forEach((local, r) => c.get(rowA).i32(r).op(Op.i32Mul).set(local));
  // Chunks of k: k = min(K_CHUNK, what is left); then a and b move past it and accumulate is set.
  c.get(k).set(v.kLeft);
  c.op(Op.loop, BLOCK_EMPTY);
  c.get(v.kLeft).i32(K_CHUNK).get(v.kLeft).i32(K_CHUNK).op(Op.i32LtS).op(Op.select).set(k);
  c.get(epilogue).i32(0).get(v.kLeft).i32(K_CHUNK).op(Op.i32LeS).op(Op.select).set(v.epilogueNow);
  c.i32(0).set(v.i);
  emitBlockings(c, params, v, m, n, 0);
  c.get(a).get(k).get(colA).op(Op.i32Mul).op(Op.i32Add).set(a);
  c.get(b).get(k).get(v.rowBytes).op(Op.i32Mul).op(Op.i32Add).set(b);
  c.i32(1).set(accumulate);
  c.get(v.kLeft).get(k).op(Op.i32Sub).tee(v.kLeft).i32(0).op(Op.i32GtS).op(Op.brIf, 0, Op.end);
  return c;
}

/**
 * A row short of 16 columns with a tail, 4 < n < 16: one block per row block covering the whole row (`ragged`), its
 * vectors and rows by n, within the 16 SIMD registers as BLOCKINGS' are (a dense layer's 10 outputs: 3 rows × 3 vectors
 * where 4 × 8 and a 4 × 4 tail block read each a[i, p] twice).
 */
const RAGGED = [
  { maxN: 8, rows: [4, 1], vectors: 2 },
  { maxN: 12, rows: [3, 1], vectors: 3 },
  { maxN: 16, rows: [2, 1], vectors: 4 },
];

/** if n ≥ BLOCKINGS[at].minN, its row blocks, else the next blocking's (the last has minN 0; before it, RAGGED's). */
function emitBlockings(c: Code, params: GemmParams, v: GemmLocals, m: number, n: number, at: number): void {
  const blocking = BLOCKINGS[at];
  if (at === BLOCKINGS.length - 1) {
    // tail ≠ 0 and 4 < n < 16: the ragged blocks, by n; else the blocking's.
    c.get(v.tail).i32(0).op(Op.i32GtS).get(n).i32(4).op(Op.i32GtS).op(Op.i32And).op(Op.if, BLOCK_EMPTY);
    // n < 16 here: the last entry takes what the others leave.
    RAGGED.forEach((ragged, at) => {
      if (at === RAGGED.length - 1) return emitRaggedRows(c, params, v, m, ragged);
      c.get(n).i32(ragged.maxN).op(Op.i32LtS).op(Op.if, BLOCK_EMPTY);
      emitRaggedRows(c, params, v, m, ragged);
      c.op(Op.else);
    });
    for (let end = 1; end < RAGGED.length; end++) c.op(Op.end);
    c.op(Op.else);
    emitRowBlocks(c, params, v, m, n, blocking);
    c.op(Op.end);
    return;
  }
  c.get(n).i32(blocking.minN).op(Op.i32GeS).op(Op.if, BLOCK_EMPTY);
  emitRowBlocks(c, params, v, m, n, blocking);
  c.op(Op.else);
  emitBlockings(c, params, v, m, n, at + 1);
  c.op(Op.end);
}

/** Row blocks down to the last row, each over every column of out: full vectors, then the last n mod 4 columns. */
function emitRowBlocks(c: Code, params: GemmParams, v: GemmLocals, m: number, n: number, blocking: { rows: number[]; vectors: number[] }): void {
  for (const rows of blocking.rows) {
    c.op(Op.block, BLOCK_EMPTY, Op.loop, BLOCK_EMPTY);
    c.get(v.i).i32(rows).op(Op.i32Add).get(m).op(Op.i32GtS).op(Op.brIf, 1);
    c.i32(0).set(v.j);
    for (const vectors of blocking.vectors) emitColumnLoop(c, v, 16 * vectors, v.vectorBytes, () => emitBlock(c, params, v, rows, vectors, 'full'));
    // The last n mod 4 columns: as the lanes of the row's last 4 columns when n ≥ 4, else one at a time.
    c.get(v.tail).op(Op.if, BLOCK_EMPTY);
    c.get(n).i32(4).op(Op.i32GeS).op(Op.if, BLOCK_EMPTY);
    c.get(v.rowBytes).i32(16).op(Op.i32Sub).set(v.j);
    emitBlock(c, params, v, rows, 1, 'tail');
    c.op(Op.else);
    emitColumnLoop(c, v, 4, v.rowBytes, () => emitBlock(c, params, v, rows, 1, 'single'));
    c.op(Op.end, Op.end);
    c.get(v.i).i32(rows).op(Op.i32Add).set(v.i);
    c.op(Op.br, 0, Op.end, Op.end);
  }
}

/** Row blocks down to the last row, each one ragged block over its whole rows. */
function emitRaggedRows(c: Code, params: GemmParams, v: GemmLocals, m: number, ragged: { rows: number[]; vectors: number }): void {
  for (const rows of ragged.rows) {
    c.op(Op.block, BLOCK_EMPTY, Op.loop, BLOCK_EMPTY);
    c.get(v.i).i32(rows).op(Op.i32Add).get(m).op(Op.i32GtS).op(Op.brIf, 1);
    c.i32(0).set(v.j);
    emitBlock(c, params, v, rows, ragged.vectors, 'ragged');
    c.get(v.i).i32(rows).op(Op.i32Add).set(v.i);
    c.op(Op.br, 0, Op.end, Op.end);
  }
}

/** While j + width ≤ end (bytes): the block, then j += width. */
function emitColumnLoop(c: Code, v: GemmLocals, width: number, end: number, block: () => void): void {
  c.op(Op.block, BLOCK_EMPTY, Op.loop, BLOCK_EMPTY);
  c.get(v.j).i32(width).op(Op.i32Add).get(end).op(Op.i32GtS).op(Op.brIf, 1);
  block();
  c.get(v.j).i32(width).op(Op.i32Add).set(v.j);
  c.op(Op.br, 0, Op.end, Op.end);
}

type GemmParams = { a: number; colA: number; b: number; out: number; k: number; accumulate: number; fused: boolean; bias: number };

type GemmLocals = {
  i: number; j: number; p: number; aPtr: number; bPtr: number; cPtr: number; kLeft: number; epilogueNow: number; rowBytes: number; vectorBytes: number; tail: number;
  /** rowBytes − 16: a row's last 4 columns. */
  tailAt: number;
  rowOffsets: number[]; acc: number[][]; bv: number[]; av: number;
};

/** One block: rows × (4·vectors) columns of out at row i, byte column j, over p < k. */
function emitBlock(c: Code, params: GemmParams, v: GemmLocals, rows: number, vectors: number, columns: Columns): void {
  const load = columns === 'single' ? LOAD32_SPLAT : Simd.load;
  // cPtr = out + i·rowBytes + j; row r of the block is rowBytes further each.
  c.get(params.out).get(v.i).get(v.rowBytes).op(Op.i32Mul).op(Op.i32Add).get(v.j).op(Op.i32Add).set(v.cPtr);
  c.get(params.accumulate).op(Op.if, BLOCK_EMPTY);
  forEachAccumulator(c, v, rows, vectors, (acc, offset) => c.simdMemory(load, offset).set(acc), columns);
  c.op(Op.else);
  for (let r = 0; r < rows; r++) {
    for (let q = 0; q < vectors; q++) c.simd(Simd.v128Const, ...new Array<number>(16).fill(0)).set(v.acc[r][q]);
  }
  c.op(Op.end);
  // aPtr = a + i·rowBytesA (via rowOffsets[1] = rowBytesA), bPtr = b + j.
  c.get(params.a).get(v.i).get(v.rowOffsets[1]).op(Op.i32Mul).op(Op.i32Add).set(v.aPtr);
  c.get(params.b).get(v.j).op(Op.i32Add).set(v.bPtr);
  c.get(params.k).set(v.p);
  c.op(Op.loop, BLOCK_EMPTY);
  for (let q = 0; q < vectors; q++) {
    c.get(v.bPtr);
    if (columns === 'ragged' && q === vectors - 1) c.get(v.tailAt).op(Op.i32Add).simdMemory(load, 0);
    else c.simdMemory(load, 16 * q);
    c.set(v.bv[q]);
  }
  for (let r = 0; r < rows; r++) {
    // a[i + r, p] loaded into all four lanes at once (one instruction, where a load and a splat are two).
    c.get(v.aPtr).get(v.rowOffsets[r]).op(Op.i32Add).simdMemory(LOAD32_SPLAT, 0).set(v.av);
    for (let q = 0; q < vectors; q++) {
      if (params.fused) c.get(v.av).get(v.bv[q]).get(v.acc[r][q]).simd(Simd.f32x4RelaxedMadd).set(v.acc[r][q]);
      else c.get(v.acc[r][q]).get(v.av).get(v.bv[q]).simd(Simd.f32x4Mul).simd(Simd.f32x4Add).set(v.acc[r][q]);
    }
  }
  c.get(v.aPtr).get(params.colA).op(Op.i32Add).set(v.aPtr);
  c.get(v.bPtr).get(v.rowBytes).op(Op.i32Add).set(v.bPtr);
  c.get(v.p).i32(1).op(Op.i32Sub).tee(v.p).op(Op.brIf, 0, Op.end);
  emitEpilogue(c, params, v, rows, vectors, columns);
  emitStores(c, v, rows, vectors, columns);
}

/**
 * In the last chunk of k: bias[j] added to the accumulators of column j (its vectors read at b's column
 * addresses), then relu as the loops compute tf.relu (x < 0 selects 0: −0 and NaN stay). Lanes past a tail
 * get values no store writes.
 */
function emitEpilogue(c: Code, params: GemmParams, v: GemmLocals, rows: number, vectors: number, columns: Columns): void {
  const load = columns === 'single' ? LOAD32_SPLAT : Simd.load;
  const zero = () => c.simd(Simd.v128Const, ...new Array<number>(16).fill(0));
  c.get(v.epilogueNow).op(Op.if, BLOCK_EMPTY);
  c.get(v.epilogueNow).i32(EPILOGUE_BIAS).op(Op.i32And).op(Op.if, BLOCK_EMPTY);
  for (let q = 0; q < vectors; q++) {
    c.get(params.bias).get(v.j).op(Op.i32Add);
    if (columns === 'ragged' && q === vectors - 1) c.get(v.tailAt).op(Op.i32Add).simdMemory(load, 0);
    else c.simdMemory(load, 16 * q);
    c.set(v.bv[q]);
    for (let r = 0; r < rows; r++) c.get(v.acc[r][q]).get(v.bv[q]).simd(Simd.f32x4Add).set(v.acc[r][q]);
  }
  c.op(Op.end);
  c.get(v.epilogueNow).i32(EPILOGUE_RELU).op(Op.i32And).op(Op.if, BLOCK_EMPTY);
  for (let r = 0; r < rows; r++) {
    for (let q = 0; q < vectors; q++) {
      // bitselect(0, x, x < 0): the lanes where x < 0 take 0.
      zero();
      c.get(v.acc[r][q]);
      c.get(v.acc[r][q]);
      zero();
      c.simd(Simd.f32x4Lt).simd(Simd.bitselect).set(v.acc[r][q]);
    }
  }
  c.op(Op.end, Op.end);
}

/** The block's accumulators into out: whole vectors, lane 0 (`single`), or the lanes of the last `tail` columns. */
function emitStores(c: Code, v: GemmLocals, rows: number, vectors: number, columns: Columns): void {
  if (columns === 'full' || columns === 'ragged') {
    const whole = columns === 'ragged' ? vectors - 1 : vectors;
    forEachAccumulator(c, v, rows, whole, (acc, offset) => c.get(acc).simdMemory(Simd.store, offset));
    if (columns === 'full') return;
  }
  // Lane 3 always; lanes 2 and 1 when the tail is 2 or 3 columns long (a ragged block's last vector: its tail).
  const tailOnly = columns !== 'single';
  for (const lane of columns === 'single' ? [0] : [3, 2, 1]) {
    if (lane < 3 && tailOnly) c.get(v.tail).i32(4 - lane).op(Op.i32GeS).op(Op.if, BLOCK_EMPTY);
    for (let r = 0; r < rows; r++) {
      accumulatorAddress(c, v, r, columns === 'ragged');
      c.get(v.acc[r][columns === 'ragged' ? vectors - 1 : 0]).simd(Simd.f32x4ExtractLane, lane).memory(Op.f32Store, 2, 4 * lane);
    }
    if (lane < 3 && tailOnly) c.op(Op.end);
  }
}

/** Row r's address in out pushed: cPtr + r·rowBytes, + tailAt for a ragged block's last vector. */
function accumulatorAddress(c: Code, v: GemmLocals, r: number, atTail: boolean): void {
  c.get(v.cPtr);
  if (r > 0) c.get(v.rowBytes).i32(r).op(Op.i32Mul).op(Op.i32Add);
  if (atTail) c.get(v.tailAt).op(Op.i32Add);
}

/**
 * For each accumulator of the block: its address in out pushed, then `body(local, byte offset)`: offset 16·q, or 0 for
 * a ragged block's last vector, whose address is the row's last 4 columns.
 */
function forEachAccumulator(c: Code, v: GemmLocals, rows: number, vectors: number, body: (acc: number, offset: number) => void, columns: Columns = 'full'): void {
  for (let r = 0; r < rows; r++) {
    for (let q = 0; q < vectors; q++) {
      const atTail = columns === 'ragged' && q === vectors - 1;
      accumulatorAddress(c, v, r, atTail);
      body(v.acc[r][q], atTail ? 0 : 16 * q);
    }
  }
}
