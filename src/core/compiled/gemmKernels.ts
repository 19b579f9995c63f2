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
import { encodeModule, type MemorySharing } from '../wasm/binary';
import { wasmSimdSupported } from '../wasm/loopModule';
import { relaxedMaddFuses } from '../wasm/relaxedSimd';
import { EPILOGUE_BIAS, EPILOGUE_RELU, emitGemm } from './gemmWasm';
import { isBufferOf } from './hostMemory';
import { runOnThreads, threadsTake, type ProductRows } from './productThreads';

type WasmGemm = (a: number, rowBytesA: number, colBytesA: number, b: number, out: number, m: number, k: number, n: number, accumulate: number, bias: number, epilogue: number) => void;

/**
 * What a product does to out before it stores it (a convolution's bias and relu, convEpilogues.ts):
 * out[i, j] = relu(out[i, j] + bias[j]), each step optional, in float32 as the loops compute them.
 */
export interface Epilogue {
  readonly bias?: Float32Array;
  readonly relu: boolean;
}


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

/** The kernels' modules for unshared memories (TensorFlow.js wasm backend's heap): [mul + add, fused]. */
const unsharedModules: (WebAssembly.Module | undefined)[] = [undefined, undefined];

/** The kernel's instance on `memory` of either sharing (a module links only to a memory of its kind). */
function wasmGemmOnMemory(memory: WebAssembly.Memory): WasmGemm {
  const at = fusedProducts() ? 1 : 0;
  const kernel = kernels[at];
  let fn = kernel.instances.get(memory);
  if (fn) return fn;
  const sharing: MemorySharing = memory.buffer instanceof SharedArrayBuffer ? 'shared' : 'unshared';
  const emit = () => new WebAssembly.Module(encodeModule([{ name: 'gemm', code: emitGemm(kernel.fused) }], 1, [], sharing));
  const module = sharing === 'shared' ? (kernel.module ??= emit()) : (unsharedModules[at] ??= emit());
  fn = new WebAssembly.Instance(module, { env: { memory } }).exports.gemm as WasmGemm;
  kernel.instances.set(memory, fn);
  // As wasmGemmFor's: a shared memory's instance found there later may still split its rows over threads.
  origins.set(fn, { module, memory });
  return fn;
}

/** Byte addresses in one memory of a product's operands and result; bias (EPILOGUE_BIAS) when given. */
export interface GemmAddresses {
  readonly a: number;
  readonly b: number;
  readonly out: number;
  readonly bias?: number;
  readonly relu?: boolean;
}

/**
 * The WebAssembly product on a memory of the caller's (TensorFlow.js wasm backend's heap, unshared), at byte
 * addresses (stable across growth, unlike views), on the calling thread: the thread pool needs a shared memory.
 * The same module, fused or not as fusedProducts() says, so the same bits as wasmGemm's on the same operands.
 * false (nothing written) without SIMD or when k = 0 (the kernel needs k ≥ 1).
 */
export function wasmGemmOn(memory: WebAssembly.Memory, at: GemmAddresses, m: number, k: number, n: number, transA: boolean): boolean {
  if (k <= 0 || !wasmSimdSupported()) return false;
  const [rowA, colA] = transA ? [1, m] : [k, 1];
  const bits = (at.bias !== undefined ? EPILOGUE_BIAS : 0) | (at.relu ? EPILOGUE_RELU : 0);
  wasmGemmOnMemory(memory)(at.a, 4 * rowA, 4 * colA, at.b, at.out, m, k, n, 0, at.bias ?? 0, bits);
  return true;
}

/** The WebAssembly product when it applies (see the file's comment); false when the caller must compute it. */
export function wasmGemm(a: Float32Array, b: Float32Array, out: Float32Array, m: number, k: number, n: number, transA: boolean, epilogue?: Epilogue): boolean {
  const wasm = k > 0 ? wasmGemmFor(a, b, out) : undefined;
  if (!wasm || (epilogue?.bias && memoryOfAll(out, epilogue.bias) === undefined)) return false;
  // Element strides of a as [m×k]: transposed, row i is column i of the stored k×m matrix.
  const [rowA, colA] = transA ? [1, m] : [k, 1];
  const bits = epilogue ? (epilogue.bias ? EPILOGUE_BIAS : 0) | (epilogue.relu ? EPILOGUE_RELU : 0) : 0;
  runProduct(wasm, { a: a.byteOffset, rowBytesA: 4 * rowA, colBytesA: 4 * colA, b: b.byteOffset, out: out.byteOffset, m, k, n, bias: epilogue?.bias?.byteOffset ?? 0, epilogue: bits });
  return true;
}

/**
 * The product in one call, or its rows split over threads when large (each thread one call for its rows);
 * on one thread nothing is allocated.
 */
function runProduct(wasm: WasmGemm, call: ProductRows): void {
  const { a, rowBytesA, colBytesA, b, out, m, k, n, bias, epilogue } = call;
  const origin = threadsTake(m, k, n) ? origins.get(wasm) : undefined;
  if (origin) {
    const rows = (from: number, to: number) => wasm(a + from * rowBytesA, rowBytesA, colBytesA, b, out + 4 * from * n, to - from, k, n, 0, bias, epilogue);
    if (runOnThreads(origin.module, origin.memory, call, rows)) return;
  }
  wasm(a, rowBytesA, colBytesA, b, out, m, k, n, 0, bias, epilogue);
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
    runProduct(wasm, { a: aAt, rowBytesA: 4 * rowA, colBytesA: 4 * colA, b: bAt, out: out.byteOffset + 4 * batch * m * n, m, k, n, bias: 0, epilogue: 0 });
  }
  return true;
}

/** out = op(a) · op(b), op = transpose when asked; a is m×k after op, b k×n after op; then the epilogue, if any. */
export function gemm(a: Float32Array, b: Float32Array, out: Float32Array, m: number, k: number, n: number, transA: boolean, transB: boolean, epilogue?: Epilogue): void {
  if (!transB && wasmGemm(a, b, out, m, k, n, transA, epilogue)) return;
  gemmJs(a, b, out, m, k, n, transA, transB);
  if (epilogue) epilogueJs(out, m, n, epilogue);
}

/** The epilogue on out after a JS product: the WebAssembly kernel's float32 steps, one element at a time. */
function epilogueJs(out: Float32Array, m: number, n: number, { bias, relu }: Epilogue): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const x = bias ? Math.fround(out[i * n + j] + bias[j]) : out[i * n + j];
      out[i * n + j] = relu && x < 0 ? 0 : x;
    }
  }
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
