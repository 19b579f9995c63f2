/**
 * Issue 20, threads: the WebAssembly products on 1 and on N threads (src/runner/productPool.ts), alternated
 * round by round in one process, G multiply-adds/s per shape (medians of the rounds, each round the median of
 * `calls` products). The cnn row's three products by default, and smaller ones to place THREADED_PRODUCT_MIN.
 *
 *   npx tsx bench/productThreads.ts [--threads 2] [--rounds 15] [--calls 40] [--sizes]
 */
import * as os from 'node:os';
import { Worker } from 'node:worker_threads';
import { fusedProducts, gemm, registerMemory } from '../src/core/compiled/gemmKernels';
import { BLOCKS_PER_THREAD, blockRows, registerProductThreads, THREADED_PRODUCT_MIN } from '../src/core/compiled/productThreads';
import { sharedMemory } from '../src/core/wasm/loopModule';
import { ProductPool } from '../src/runner/productPool';
import { setWasmFlags } from '../src/runner/wasmFlags';

// As the runner and bench/run.ts do, before any WebAssembly compiles (the products' fused multiply-add).
setWasmFlags();

const CNN: [number, number, number, boolean][] = [[2048, 144, 32, false], [144, 2048, 32, true], [2048, 32, 144, false]];
const SMALLER: [number, number, number, boolean][] = [[128, 144, 32, false], [256, 144, 32, false], [512, 144, 32, false], [1024, 144, 32, false]];

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];

/** One product's operands in a shared memory registered as a program's. */
function operands(m: number, k: number, n: number) {
  const memory = sharedMemory(Math.ceil((4 * (m * k + k * n + m * n) + 64) / 65536));
  registerMemory(memory);
  const a = new Float32Array(memory.buffer, 0, m * k);
  const b = new Float32Array(memory.buffer, 4 * m * k, k * n);
  for (const v of [a, b]) for (let i = 0; i < v.length; i++) v[i] = Math.random() - 0.5;
  const out = new Float32Array(memory.buffer, 4 * (m * k + k * n), m * n);
  return { a, b, out };
}

/** A fixed busy loop (about 50 ms on one free core). */
const SPIN = 'let s = 0; for (let i = 0; i < 5e7; i++) s += i * 1e-9;';

/**
 * The second core's worth now: the loop's time alone over its time while a worker thread runs the same loop
 * (1: the two ran side by side; 0.5: they shared one core). Other jobs on the machine set it, not the pool.
 */
async function parallelCapacity(): Promise<number> {
  const spin = new Function(SPIN) as () => void;
  spin();
  let start = performance.now();
  spin();
  const alone = performance.now() - start;
  const worker = new Worker(`for (let r = 0; r < 3; r++) { ${SPIN} }`, { eval: true });
  await new Promise((resolve) => worker.once('online', resolve));
  start = performance.now();
  spin();
  const together = performance.now() - start;
  await worker.terminate();
  return Math.min(1, alone / together);
}

async function main(): Promise<void> {
  const threads = arg('--threads', 2);
  const rounds = arg('--rounds', 15);
  const calls = arg('--calls', 40);
  const shapes = process.argv.includes('--sizes') ? SMALLER : CNN;
  const pool = new ProductPool(threads, arg('--blocks', BLOCKS_PER_THREAD));
  await pool.start();
  console.log(`parallel capacity ${(await parallelCapacity()).toFixed(2)} (1: a second core free, 0.5: none)`);
  console.log(`fused multiply-add: ${fusedProducts()}; threads 1 vs ${threads}, ${rounds} alternated rounds of ${calls} calls; THREADED_PRODUCT_MIN ${THREADED_PRODUCT_MIN}; load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  for (const [m, k, n, transA] of shapes) {
    const { a, b, out } = operands(m, k, n);
    const rates: Record<'1' | 'N', number[]> = { '1': [], N: [] };
    const blocksBefore = pool.workerBlocks;
    const waitBefore = pool.waitMs;
    for (let r = 0; r < rounds; r++) {
      for (const side of r % 2 === 0 ? (['1', 'N'] as const) : (['N', '1'] as const)) {
        // Every size: the bench measures the split itself, below the threshold too.
        registerProductThreads(side === 'N' ? pool : undefined, 0);
        const times: number[] = [];
        for (let c = 0; c < calls; c++) {
          const start = performance.now();
          gemm(a, b, out, m, k, n, transA, false);
          times.push(performance.now() - start);
        }
        rates[side].push((m * k * n) / (median(times) / 1000) / 1e9);
      }
    }
    registerProductThreads(undefined);
    const blocks = Math.ceil(m / blockRows(m, threads, arg('--blocks', BLOCKS_PER_THREAD))) * rounds * calls;
    const waited = (1000 * (pool.waitMs - waitBefore)) / (rounds * calls);
    const share = `workers ran ${(100 * (pool.workerBlocks - blocksBefore) / blocks).toFixed(0)} % of the blocks, the caller waited ${waited.toFixed(0)} us a product`;
    const show = (xs: number[]) => `${median(xs).toFixed(2)} G/s (${xs.map((x) => x.toFixed(1)).join(', ')})`;
    console.log(`${m}x${k}x${n}${transA ? ' aT' : ''}: 1 thread ${show(rates['1'])}; ${threads} threads ${show(rates.N)}; ${(median(rates.N) / median(rates['1'])).toFixed(2)}x; ${share}`);
  }
  console.log(`load after ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}, parallel capacity ${(await parallelCapacity()).toFixed(2)}`);
  await pool.close();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
