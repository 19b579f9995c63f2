/**
 * Large WebAssembly products on more than one thread (issue 20). Core starts no thread (it imports no
 * `node:*`): the runner registers a pool (src/runner/productPool.ts) whose worker threads instantiate the
 * product's module on the same shared memory (every compiled memory is shared: wasm/binary.ts). A product
 * is cut into blocks of rows of out, which the calling thread and the workers take one at a time until none
 * is left (a worker that wakes late, on a busy machine, takes fewer). Each element of out is one row of a
 * times one column of b, summed over k in the same chunks (inside `gemm`) and the same order whatever rows a thread
 * holds, so the bits are the one-thread product's (test/unit/runner/productPool.test.ts checks it).
 * Without a pool, or below THREADED_PRODUCT_MIN multiply-adds, a product runs on the calling thread.
 */

/** One call of a product module's `gemm` export over rows of out, in byte addresses (gemmKernels.ts). */
export interface ProductRows {
  readonly a: number;
  readonly rowBytesA: number;
  readonly colBytesA: number;
  readonly b: number;
  readonly out: number;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  /** gemmWasm.ts' epilogue: bias address and EPILOGUE_* bits (0 for none). */
  readonly bias: number;
  readonly epilogue: number;
}

export interface ProductThreads {
  /** Threads a product runs on, the calling one included. */
  readonly threads: number;
  /**
   * Runs the product's rows over the threads: `callerRows(from, to)` runs a block on the calling thread (called
   * for each block it takes); returns once every block is done, throws when a worker fails.
   */
  run(module: WebAssembly.Module, memory: WebAssembly.Memory, call: ProductRows, callerRows: (from: number, to: number) => void): void;
}

/**
 * Below this many multiply-adds a product stays on one thread: waking the workers and waiting for them
 * costs more than their blocks save (bench/README.md, issue 20, threads).
 */
export const THREADED_PRODUCT_MIN = 2_000_000;

let registered: ProductThreads | undefined;
let minimum = THREADED_PRODUCT_MIN;

/**
 * The runner's pool for this process's products, or undefined for one thread (when a run ends); products of
 * fewer than `minSize` multiply-adds stay on the calling thread (bench/productThreads.ts lowers it to measure).
 */
export function registerProductThreads(pool: ProductThreads | undefined, minSize = THREADED_PRODUCT_MIN): void {
  registered = pool;
  minimum = minSize;
}

/** How many threads a large product runs on now (1 without a pool): the run's `compute` record reports it. */
export function productThreadCount(): number {
  return registered?.threads ?? 1;
}

/**
 * The product on the registered threads when there are several and it is large enough; false when the
 * caller must run it alone.
 */
export function runOnThreads(module: WebAssembly.Module, memory: WebAssembly.Memory, call: ProductRows, callerRows: (from: number, to: number) => void): boolean {
  const pool = registered;
  if (!pool || !threadsTake(call.m, call.k, call.n)) return false;
  pool.run(module, memory, call, callerRows);
  return true;
}

/** Whether a product of m×k by k×n would run on the registered threads (so a caller on one thread makes nothing for them). */
export function threadsTake(m: number, k: number, n: number): boolean {
  return registered !== undefined && registered.threads >= 2 && m >= 2 && m * k * n >= minimum;
}

/** Blocks per thread a product's rows are cut into: a thread that wakes late finds fewer left, the others take them. */
export const BLOCKS_PER_THREAD = 4;

/** Rows per block of a product of m rows over `threads`: a multiple of 4 (the kernel's row block), at least 4. */
export function blockRows(m: number, threads: number, blocksPerThread = BLOCKS_PER_THREAD): number {
  return 4 * Math.max(1, Math.ceil(m / (4 * blocksPerThread * threads)));
}
