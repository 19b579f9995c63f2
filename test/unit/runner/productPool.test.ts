import { strict as assert } from 'node:assert';
import { gemm, registerMemory } from '../../../src/core/compiled/gemmKernels';
import { BLOCKS_PER_THREAD, blockRows, registerProductThreads, THREADED_PRODUCT_MIN, type ProductRows, type ProductThreads } from '../../../src/core/compiled/productThreads';
import { sharedMemory } from '../../../src/core/wasm/loopModule';
import { ProductPool, POLL_MS } from '../../../src/runner/productPool';

/** A program-like memory holding a (m×k, or k×m when transposed), b (k×n) and out (m×n), filled with seeded values. */
function operands(m: number, k: number, n: number, seed: number) {
  const floats = m * k + k * n + m * n;
  const memory = sharedMemory(Math.ceil((4 * floats + 64) / 65536));
  registerMemory(memory);
  const a = new Float32Array(memory.buffer, 0, m * k);
  const b = new Float32Array(memory.buffer, 4 * m * k, k * n);
  const out = new Float32Array(memory.buffer, 4 * (m * k + k * n), m * n);
  let s = seed;
  const next = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 30) - 1;
  for (const v of [a, b]) for (let i = 0; i < v.length; i++) v[i] = next();
  return { a, b, out };
}

/** The pool, counting the products it was asked to split. */
function counted(pool: ProductPool): ProductThreads & { products: number; pool: ProductPool } {
  const wrapper = {
    threads: pool.threads,
    pool,
    products: 0,
    run(...args: Parameters<ProductThreads['run']>) {
      wrapper.products++;
      pool.run(...args);
    },
  };
  return wrapper;
}

describe('product threads: a large WebAssembly product split by rows over worker threads', () => {
  const pools: ProductPool[] = [];
  afterEach(() => registerProductThreads(undefined));
  after(async () => {
    await Promise.all(pools.map((p) => p.close()));
  });

  async function poolOf(threads: number): Promise<ProductThreads & { products: number; pool: ProductPool }> {
    const pool = new ProductPool(threads);
    pools.push(pool);
    await pool.start();
    const wrapper = counted(pool);
    registerProductThreads(wrapper);
    return wrapper;
  }

  const shapes: [number, number, number, boolean][] = [
    [2048, 144, 32, false], // the cnn row's three products
    [144, 2048, 32, true],
    [2048, 32, 144, false],
    [13, 700, 300, false], // m not a multiple of 4
    [6, 1000, 400, true], // m below 4 × threads
    [2, 1100, 1000, false], // m below the threads
  ];
  for (const threads of [2, 3]) {
    for (const [m, k, n, transA] of shapes) {
      it(`${m}×${k}×${n}${transA ? ' (a transposed)' : ''} on ${threads} threads: the one-thread product's bits`, async () => {
        assert.ok(m * k * n >= THREADED_PRODUCT_MIN);
        const { a, b, out } = operands(m, k, n, m + k + n);
        gemm(a, b, out, m, k, n, transA, false);
        const alone = Uint32Array.from(new Uint32Array(out.buffer, out.byteOffset, out.length));
        out.fill(Number.NaN);
        const pool = await poolOf(threads);
        // Until a worker took a block (the calling thread takes them all when the workers wake late).
        for (let tries = 1; tries <= 200 && pool.pool.workerBlocks === 0; tries++) {
          out.fill(Number.NaN);
          gemm(a, b, out, m, k, n, transA, false);
          assert.equal(pool.products, tries);
          assert.deepEqual(new Uint32Array(out.buffer, out.byteOffset, out.length), alone);
        }
        // With a block or two per thread the caller may finish them all before a worker wakes (by design: a late
        // thread takes fewer; a CI run once saw 50 such products of 6 rows in a row), so a worker's share is
        // asserted where there are about BLOCKS_PER_THREAD blocks per thread; the bits above hold either way.
        if (Math.ceil(m / blockRows(m, threads)) >= threads * (BLOCKS_PER_THREAD - 1)) assert.ok(pool.pool.workerBlocks > 0);
      });
    }
  }

  it("a convolution's bias and relu epilogue on 2 threads: the one-thread bits", async () => {
    const [m, k, n] = [2048, 144, 32];
    const { a, b, out } = operands(m, k + 1, n, 7);
    // The operands' memory has room for one more row of b: the bias goes there.
    const bias = new Float32Array(b.buffer, b.byteOffset + 4 * k * n, n);
    bias.forEach((_, j) => (bias[j] = (j % 3) - 1));
    const epilogue = { bias, relu: true };
    gemm(a, b, out, m, k, n, false, false, epilogue);
    const alone = Uint32Array.from(new Uint32Array(out.buffer, out.byteOffset, m * n));
    assert.ok(Array.from(out.subarray(0, m * n)).some((v) => v === 0) && Array.from(out.subarray(0, m * n)).some((v) => v > 0), 'the relu chose both ways');
    const pool = await poolOf(2);
    for (let tries = 1; tries <= 50 && pool.pool.workerBlocks === 0; tries++) {
      out.fill(Number.NaN);
      gemm(a, b, out, m, k, n, false, false, epilogue);
      assert.deepEqual(new Uint32Array(out.buffer, out.byteOffset, m * n), alone);
    }
    assert.ok(pool.pool.workerBlocks > 0);
  });

  it('a memory that grew after the workers got it: rows past its first size are right', async () => {
    const memory = sharedMemory(8);
    registerMemory(memory);
    const pool = await poolOf(2);
    const [m, k, n] = [512, 144, 32];
    const at = (base: number) => ({
      a: new Float32Array(memory.buffer, base, m * k),
      b: new Float32Array(memory.buffer, base + 4 * m * k, k * n),
      out: new Float32Array(memory.buffer, base + 4 * (m * k + k * n), m * n),
    });
    const first = at(0);
    first.a.fill(1);
    first.b.fill(1);
    for (let tries = 0; tries < 50 && pool.pool.workerBlocks === 0; tries++) gemm(first.a, first.b, first.out, m, k, n, false, false);
    memory.grow(200);
    registerMemory(memory);
    const later = at(150 * 65536);
    later.a.fill(2);
    later.b.fill(1);
    const before = pool.pool.workerBlocks;
    for (let tries = 0; tries < 50 && pool.pool.workerBlocks === before; tries++) gemm(later.a, later.b, later.out, m, k, n, false, false);
    assert.ok(pool.pool.workerBlocks > before);
    assert.ok(later.out.every((v) => v === 2 * k));
  });

  it('a worker that went to sleep after polling wakes for the next product and takes its blocks', async () => {
    const [m, k, n] = [1024, 144, 32];
    const { a, b, out } = operands(m, k, n, 4);
    gemm(a, b, out, m, k, n, false, false);
    const alone = Float32Array.from(out);
    const pool = new ProductPool(2);
    pools.push(pool);
    await pool.start();
    // Past POLL_MS with no product: the worker sleeps in Atomics.wait.
    await new Promise((resolve) => setTimeout(resolve, 20 * POLL_MS));
    let first = true;
    // The calling thread's first block holds it long enough that only the woken worker can take the others.
    registerProductThreads({
      threads: 2,
      run: (module, memory, call, callerRows) =>
        pool.run(module, memory, call, (from, to) => {
          if (first) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
          first = false;
          callerRows(from, to);
        }),
    }, 0);
    out.fill(0);
    gemm(a, b, out, m, k, n, false, false);
    assert.equal(pool.workerBlocks, Math.ceil(m / blockRows(m, 2)) - 1);
    assert.deepEqual(out, alone);
  });

  it('a product below THREADED_PRODUCT_MIN stays on the calling thread', async () => {
    const { a, b, out } = operands(64, 64, 64, 1);
    const pool = await poolOf(2);
    gemm(a, b, out, 64, 64, 64, false, false);
    assert.equal(pool.products, 0);
  });

  it('blocks: a multiple of 4 rows, at least 4, about BLOCKS_PER_THREAD per thread', () => {
    assert.equal(blockRows(2048, 2), 256);
    assert.equal(blockRows(144, 2), 20);
    assert.equal(blockRows(13, 3), 4);
    assert.equal(blockRows(2, 3), 4);
  });

  it("a worker's failure fails the product with its message, and the pool still runs the next one", async () => {
    const pool = new ProductPool(2);
    pools.push(pool);
    await pool.start();
    const { a, b, out } = operands(64, 64, 64, 2);
    const call: ProductRows = { a: a.byteOffset, rowBytesA: 256, colBytesA: 4, b: b.byteOffset, out: out.byteOffset, m: 64, k: 64, n: 64, bias: 0, epilogue: 0 };
    // A module without the gemm export: the worker's instantiation gives no function to call.
    const empty = new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
    const memory = sharedMemory(1);
    let callerRan = 0;
    // The calling thread's block takes long enough for the worker to wake and take the others.
    const slow = () => {
      callerRan++;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
    };
    assert.throws(() => pool.run(empty, memory, call, slow), /a product thread failed: TypeError/);
    assert.equal(callerRan, 1);
    const big = operands(512, 64, 64, 3);
    gemm(big.a, big.b, big.out, 512, 64, 64, false, false);
    const alone = Float32Array.from(big.out);
    const wrapper = counted(pool);
    registerProductThreads(wrapper);
    big.out.fill(0);
    gemm(big.a, big.b, big.out, 512, 64, 64, false, false);
    assert.equal(wrapper.products, 1);
    assert.deepEqual(big.out, alone);
  });

  it('close() ends every worker, and a closed pool refuses products', async () => {
    const pool = new ProductPool(3);
    await pool.start();
    await pool.close();
    const memory = sharedMemory(1);
    assert.throws(() => pool.run(new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])), memory, {} as ProductRows, () => undefined), /closed/);
  });
});
