/**
 * The elementwise array optimizers' update, JS loop vs WebAssembly kernel
 * (src/core/arrays/wasmUpdate.ts): `npx tsx bench/wasmUpdates.ts [n ...]`.
 * Prints the median time per update (copies in and out included) and per
 * init (the kernel's compilation), which set WASM_UPDATE_MIN_SIZE.
 */
import type { ArrayOptimizer } from '../src/core/arrays/contracts';
import type { HpRecord } from '../src/core/hyperparams';
import { createOptimizer } from '../src/core/optimizers/registry';

const SIZES = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [64, 256, 1000, 100_000, 1_000_000];
const OPTIMIZERS: [string, HpRecord][] = [
  ['adam', {}], ['adamw', { weight_decay: 0.01, amsgrad: true }], ['sgd', { momentum: 0.9 }], ['rmsprop', { centered: true, momentum: 0.9 }],
  ['adagrad', {}], ['adadelta', {}], ['adamax', {}], ['nadam', {}],
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** Median µs per call of `fn` over 11 batches of about 20 ms each (after one warm-up batch). */
function microseconds(fn: () => void, perCallGuessUs: number): number {
  const reps = Math.max(1, Math.round(20_000 / perCallGuessUs));
  for (let k = 0; k < reps; k++) fn();
  const samples: number[] = [];
  for (let r = 0; r < 11; r++) {
    const start = performance.now();
    for (let k = 0; k < reps; k++) fn();
    samples.push(((performance.now() - start) / reps) * 1000);
  }
  return median(samples);
}

function measure(optimizer: ArrayOptimizer, n: number): { update: number; init: number } {
  const params = Float32Array.from({ length: n }, (_, i) => Math.sin(i));
  const grad = Float32Array.from({ length: n }, (_, i) => Math.cos(i));
  const paramsOut = new Float32Array(n);
  const state = optimizer.init(params);
  const input = { params, paramsOut, grad, loss: 0, lr: 1e-3, step: 0, evaluate: () => 0 };
  const update = microseconds(() => optimizer.update(input, state), 0.02 * n);
  const init = microseconds(() => optimizer.init(params), 300 + n / 1000);
  return { update, init };
}

console.log('optimizer        n  JS update  wasm update  speed-up   JS init  wasm init (µs, medians)');
for (const [id, hp] of OPTIMIZERS) {
  const arrays = createOptimizer(id, hp).arrays as ArrayOptimizer;
  if (!arrays.withWasm) throw new Error(`${id} has no WebAssembly form`);
  for (const n of SIZES) {
    const js = measure(arrays.withWasm('never'), n);
    const wasm = measure(arrays.withWasm('always'), n);
    const cells = [js.update.toFixed(2), wasm.update.toFixed(2), `${(js.update / wasm.update).toFixed(1)}x`, js.init.toFixed(1), wasm.init.toFixed(1)];
    console.log(`${id.padEnd(9)} ${String(n).padStart(8)}  ${cells.map((c, k) => c.padStart([9, 11, 8, 9, 10][k])).join('  ')}`);
  }
}
