import { strict as assert } from 'node:assert';
import { productThreadCount } from '../../../src/core/compiled/productThreads';
import { defaultRunThreads, MAX_DEFAULT_THREADS } from '../../../src/runner/runThreads';
import { fixture, runInProcess } from './runInProcess';

describe("runner: a run's large products on worker threads (threads in the run request)", () => {
  it('2 threads give the losses and parameters of 1 thread bit for bit, and the pool is gone after the run', async () => {
    const request = { file: fixture('wideProduct.ts'), optimizer: { id: 'adam', lr: 0.01, hp: {} }, steps: 15, landscape: false };
    // On the wasm backend: under the cpu backend the compiled products stay the plain-JS ones TF.js's cpu kernels match.
    const one = await runInProcess({ ...request, threads: 1 }, 'wasm');
    const two = await runInProcess({ ...request, threads: 2 }, 'wasm');
    assert.equal(one.meta?.compute?.path, 'compiled');
    // The compute record says how many threads the products ran on.
    assert.equal(one.meta?.compute?.threads, 1);
    assert.equal(two.meta?.compute?.threads, 2);
    assert.equal(two.done?.status, 'completed');
    assert.deepEqual(two.steps.map((s) => s.loss), one.steps.map((s) => s.loss));
    assert.deepEqual(two.done?.final.params, one.done?.final.params);
    assert.equal(two.leaked, 0);
    assert.equal(productThreadCount(), 1);
  });

  it('the default: the cores, at most MAX_DEFAULT_THREADS', () => {
    const threads = defaultRunThreads();
    assert.ok(threads >= 1 && threads <= MAX_DEFAULT_THREADS);
  });
});
