/**
 * Matrix products for the convolutions (convKernels.ts): out[m×n] = op(a)[m×k] · op(b)[k×n], row-major.
 * When a, b and out are views of one compiled program's WebAssembly memory (instantiateProgram
 * registers it) and b is not transposed, the product runs as WebAssembly SIMD: blocks of 2 rows × 16
 * columns (n ≥ 16), 4 × 8, or a whole short row with a tail (RAGGED: 3 × 12 for 10 columns) held in float32x4
 * accumulators, each a[i, p] splatted and multiplied with
 * the vectors of row p of b (a is read with any strides, so aᵀ costs nothing); the last n mod 4 columns
 * as lanes of the row's last vector (one at a time when n < 4). Each term is added with a fused multiply-add
 * (relaxed SIMD's f32x4.relaxed_madd) where it rounds once (relaxedSimd.ts, fusedProducts()), else with
 * f32x4.mul + f32x4.add: either way the same bits run to run on one machine, the fused ones on every
 * machine that fuses.
 * A long k is taken in chunks of K_CHUNK inside the call, each chunk's blocks adding onto out (the float32 sums
 * go on from where they were stored, in the same order: the same bits), so the chunk's rows of a and b stay in
 * cache while every block of out runs over them.
 * Otherwise a plain-JS loop that sums each row in float64. Both sum in another order than
 * TensorFlow.js's kernels: the front ends' agreement check allows for it.
 */
import { Code, encodeModule, Op, Simd } from '../wasm/binary';
import { wasmSimdSupported } from '../wasm/loopModule';
import { relaxedMaddFuses } from '../wasm/relaxedSimd';
import { isBufferOf } from './hostMemory';
import { runOnThreads, threadsTake } from './productThreads';

type WasmGemm = (a: number, rowBytesA: number, colBytesA: number, b: number, out: number, m: number, k: number, n: number, accumulate: number) => void;

/** Rows of b (and columns of a) per call: the full-data products (k = 10,000) otherwise stream both from memory once per block of out. */
const K_CHUNK = 128;

/** The memories of compiled programs, by their buffer (a Float32Array knows only its ArrayBuffer). */
const memories = new WeakMap<ArrayBuffer, WebAssembly.Memory>();
/** Each kernel's module and its instances, by memory: [mul + add, fused]. */
const kernels = [false, true].map((fused) => ({ fused, module: undefined as WebAssembly.Module | undefined, instances: new WeakMap<WebAssembly.Memory, WasmGemm>() }));
let fusedAllowed = true;
/** Each instance's module and memory: worker threads instantiate the same module on the same memory (productThreads.ts). */
const origins = new WeakMap<WasmGemm, { module: WebAssembly.Module; memory: WebAssembly.Memory }>();

/** Whether the WebAssembly products use the fused multiply-add (relaxedSimd.ts) in this process. */
export function fusedProducts(): boolean {
  return fusedAllowed && wasmSimdSupported() && relaxedMaddFuses();
}

/** false: the products keep mul + add even where the fused kernel runs (its tests hold it to its own bits). */
export function allowFusedProducts(allowed: boolean): void {
  fusedAllowed = allowed;
}

/**
 * The registered memories, to find one by its current buffer: growing any shared memory gives every shared
 * memory of the thread a new buffer object (V8 11.3), so a view made after another memory grew has a buffer no
 * registration saw.
 */
let registered: WeakRef<WebAssembly.Memory>[] = [];
const seen = new WeakSet<WebAssembly.Memory>();

/** Makes products on views of `memory` eligible for the WebAssembly kernel (instantiateProgram calls it). */
export function registerMemory(memory: WebAssembly.Memory): void {
  memories.set(memory.buffer, memory);
  if (seen.has(memory)) return;
  seen.add(memory);
  registered.push(new WeakRef(memory));
}

/** The registered program memory `a` is a view of, if any. */
export function memoryOf(a: Float32Array): WebAssembly.Memory | undefined {
  const buffer = a.buffer as ArrayBuffer;
  return memories.get(buffer) ?? (buffer instanceof SharedArrayBuffer ? byCurrentBuffer(buffer) : undefined);
}

/**
 * The one registered program memory every view is of, if they are: by memory, not buffer object (views of
 * one shared memory made on either side of a growth hold different buffer objects, see registered).
 */
export function memoryOfAll(...views: Float32Array[]): WebAssembly.Memory | undefined {
  const memory = memoryOf(views[0]);
  return memory && views.every((v) => v.buffer === views[0].buffer || memoryOf(v) === memory) ? memory : undefined;
}

/** The registered memory whose buffer is now `buffer` (then keyed by it too); forgets memories collected since. */
function byCurrentBuffer(buffer: ArrayBuffer): WebAssembly.Memory | undefined {
  registered = registered.filter((ref) => ref.deref() !== undefined);
  // Its current buffer, or an older object of it (a view made between two growths elsewhere): isBufferOf probes.
  const memory = registered.map((ref) => ref.deref()).find((m) => m !== undefined && isBufferOf(buffer, m));
  if (memory) memories.set(buffer, memory);
  return memory;
}

function wasmGemmFor(a: Float32Array, b: Float32Array, out: Float32Array): WasmGemm | undefined {
  const memory = memoryOfAll(a, b, out);
  if (!memory || !wasmSimdSupported()) return undefined;
  const kernel = kernels[fusedProducts() ? 1 : 0];
  let fn = kernel.instances.get(memory);
  if (!fn) {
    kernel.module ??= new WebAssembly.Module(encodeModule([{ name: 'gemm', code: emitGemm(kernel.fused) }], 1));
    fn = new WebAssembly.Instance(kernel.module, { env: { memory } }).exports.gemm as WasmGemm;
    kernel.instances.set(memory, fn);
    origins.set(fn, { module: kernel.module, memory });
  }
  return fn;
}

/** The WebAssembly product when it applies (see the file's comment); false when the caller must compute it. */
export function wasmGemm(a: Float32Array, b: Float32Array, out: Float32Array, m: number, k: number, n: number, transA: boolean): boolean {
  const wasm = k > 0 ? wasmGemmFor(a, b, out) : undefined;
  if (!wasm) return false;
  // Element strides of a as [m×k]: transposed, row i is column i of the stored k×m matrix.
  const [rowA, colA] = transA ? [1, m] : [k, 1];
  runProduct(wasm, a.byteOffset, 4 * rowA, 4 * colA, b.byteOffset, out.byteOffset, m, k, n);
  return true;
}

/**
 * The product in one call, or its rows split over threads when large (each thread one call for its rows);
 * on one thread nothing is allocated.
 */
function runProduct(wasm: WasmGemm, a: number, rowBytesA: number, colBytesA: number, b: number, out: number, m: number, k: number, n: number): void {
  const origin = threadsTake(m, k, n) ? origins.get(wasm) : undefined;
  if (origin) {
    const rows = (from: number, to: number) => wasm(a + from * rowBytesA, rowBytesA, colBytesA, b, out + 4 * from * n, to - from, k, n, 0);
    if (runOnThreads(origin.module, origin.memory, { a, rowBytesA, colBytesA, b, out, m, k, n }, rows)) return;
  }
  wasm(a, rowBytesA, colBytesA, b, out, m, k, n, 0);
}

/**
 * out[batch] = op(a[batch]) · b[batch] for each batch (a side with one batch is broadcast) as the
 * WebAssembly product, one call per batch on addresses (no views made); false when it does not apply.
 */
export function wasmBatchedGemm(
  a: Float32Array, b: Float32Array, out: Float32Array, batches: number, aBatches: number, bBatches: number,
  m: number, k: number, n: number, transA: boolean,
): boolean {
  const wasm = k > 0 ? wasmGemmFor(a, b, out) : undefined;
  if (!wasm) return false;
  const [rowA, colA] = transA ? [1, m] : [k, 1];
  for (let batch = 0; batch < batches; batch++) {
    const aAt = a.byteOffset + 4 * (aBatches === 1 ? 0 : batch) * m * k;
    const bAt = b.byteOffset + 4 * (bBatches === 1 ? 0 : batch) * k * n;
    runProduct(wasm, aAt, 4 * rowA, 4 * colA, bAt, out.byteOffset + 4 * batch * m * n, m, k, n);
  }
  return true;
}

/** out = op(a) · op(b), op = transpose when asked; a is m×k after op, b k×n after op. */
export function gemm(a: Float32Array, b: Float32Array, out: Float32Array, m: number, k: number, n: number, transA: boolean, transB: boolean): void {
  if (!transB && wasmGemm(a, b, out, m, k, n, transA)) return;
  gemmJs(a, b, out, m, k, n, transA, transB);
}

let rowSums = new Float64Array(64);

export function gemmJs(a: Float32Array, b: Float32Array, out: Float32Array, m: number, k: number, n: number, transA: boolean, transB: boolean): void {
  const [rowA, colA] = transA ? [1, m] : [k, 1];
  const [rowB, colB] = transB ? [1, k] : [n, 1];
  if (rowSums.length < n) rowSums = new Float64Array(n);
  const row = rowSums;
  for (let i = 0; i < m; i++) {
    row.fill(0, 0, n);
    for (let p = 0; p < k; p++) {
      const av = a[i * rowA + p * colA];
      const base = p * rowB;
      for (let j = 0; j < n; j++) row[j] += av * b[base + j * colB];
    }
    for (let j = 0; j < n; j++) out[i * n + j] = row[j];
  }
}

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

/**
 * gemm(a, rowBytesA, colBytesA, b, out, m, k, n, accumulate): byte addresses, k ≥ 1; accumulate ≠ 0 adds onto
 * out's values instead of starting from 0. `fused`: each term added with f32x4.relaxed_madd (relaxedSimd.ts),
 * else f32x4.mul then f32x4.add. A column's sum is the same whichever block or lane computes it.
 */
function emitGemm(fused: boolean): Code {
  const c = new Code(['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'], []);
  const [a, rowA, colA, b, out, m, k, n, accumulate] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const v = {
    i: c.local('i32'), j: c.local('i32'), p: c.local('i32'), aPtr: c.local('i32'), bPtr: c.local('i32'), cPtr: c.local('i32'), kLeft: c.local('i32'),
    rowBytes: c.local('i32'), vectorBytes: c.local('i32'), tail: c.local('i32'), tailAt: c.local('i32'),
    rowOffsets: Array.from({ length: MAX_ROWS }, () => c.local('i32')),
    acc: Array.from({ length: MAX_ROWS }, () => Array.from({ length: MAX_VECTORS }, () => c.local('v128'))),
    bv: Array.from({ length: MAX_VECTORS }, () => c.local('v128')),
    av: c.local('v128'),
  };
  const params = { a, colA, b, out, k, accumulate, fused };
  c.get(n).i32(2).op(Op.i32Shl).set(v.rowBytes);
  c.get(n).i32(-4).op(Op.i32And).i32(2).op(Op.i32Shl).set(v.vectorBytes);
  c.get(n).i32(3).op(Op.i32And).set(v.tail);
  c.get(v.rowBytes).i32(16).op(Op.i32Sub).set(v.tailAt);
  v.rowOffsets.forEach((local, r) => c.get(rowA).i32(r).op(Op.i32Mul).set(local));
  // Chunks of k: k = min(K_CHUNK, what is left); then a and b move past it and accumulate is set.
  c.get(k).set(v.kLeft);
  c.op(Op.loop, BLOCK_EMPTY);
  c.get(v.kLeft).i32(K_CHUNK).get(v.kLeft).i32(K_CHUNK).op(Op.i32LtS).op(Op.select).set(k);
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

type GemmParams = { a: number; colA: number; b: number; out: number; k: number; accumulate: number; fused: boolean };

type GemmLocals = {
  i: number; j: number; p: number; aPtr: number; bPtr: number; cPtr: number; kLeft: number; rowBytes: number; vectorBytes: number; tail: number;
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
  emitStores(c, v, rows, vectors, columns);
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
