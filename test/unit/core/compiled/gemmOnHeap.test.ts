import { strict as assert } from 'node:assert';
import { setFlagsFromString } from 'node:v8';
import { allowFusedProducts, fusedProducts, gemm, registerMemory, wasmGemmOn } from '../../../../src/core/compiled/gemmKernels';
import { relaxedMaddFuses } from '../../../../src/core/wasm/relaxedSimd';
import { spread } from './compiledCheck';

// As the runner's entry points do (src/runner/wasmFlags.ts): Node 20 has relaxed SIMD behind this flag.
setFlagsFromString('--experimental-wasm-relaxed-simd');

/**
 * wasmGemmOn: the product kernel on an unshared memory (TensorFlow.js wasm backend's heap) is the same
 * emitted module as on a compiled program's shared memory: the same bits on the same operands, fused or
 * not, a transposed or not, with the bias and relu epilogue, across k's chunks and the block edges; and
 * after the unshared memory grows (its buffer replaced, the instance and addresses still good).
 */
const SHAPES = [[5, 1, 9], [7, 127, 12], [9, 129, 13], [6, 130, 64], [13, 300, 10], [4, 40, 3], [3, 50, 17], [2, 33, 36], [1, 3, 20], [33, 144, 32]];

/** Byte addresses of a, b, bias and out, each 16-byte aligned, in one memory. */
function layout(m: number, k: number, n: number): { a: number; b: number; bias: number; out: number; end: number } {
  const align = (bytes: number) => 16 * Math.ceil(bytes / 16) + 16;
  const a = 64;
  const b = a + align(4 * m * k);
  const bias = b + align(4 * k * n);
  const out = bias + align(4 * n);
  return { a, b, bias, out, end: out + align(4 * m * n) };
}

/** The product on the registered shared memory (gemm's own path), then on the unshared one; both outs. */
function bothProducts(shared: WebAssembly.Memory, unshared: WebAssembly.Memory, m: number, k: number, n: number, transA: boolean, epilogue: boolean): [Float32Array, Float32Array] {
  const at = layout(m, k, n);
  [shared, unshared].forEach((memory) => {
    new Float32Array(memory.buffer, at.a, m * k).set(spread(m * k, 1));
    new Float32Array(memory.buffer, at.b, k * n).set(spread(k * n, 2));
    new Float32Array(memory.buffer, at.bias, n).set(spread(n, 3));
    new Float32Array(memory.buffer, at.out, m * n).fill(12345);
  });
  const view = (memory: WebAssembly.Memory, from: number, count: number) => new Float32Array(memory.buffer, from, count);
  const bias = view(shared, at.bias, n);
  gemm(view(shared, at.a, m * k), view(shared, at.b, k * n), view(shared, at.out, m * n), m, k, n, transA, false, epilogue ? { bias, relu: true } : undefined);
  assert.ok(wasmGemmOn(unshared, { a: at.a, b: at.b, out: at.out, ...(epilogue ? { bias: at.bias, relu: true } : {}) }, m, k, n, transA));
  return [Float32Array.from(view(shared, at.out, m * n)), Float32Array.from(view(unshared, at.out, m * n))];
}

function assertSameBits(got: Float32Array, want: Float32Array, what: string): void {
  const [x, y] = [new Int32Array(got.buffer), new Int32Array(want.buffer)];
  const at = x.findIndex((v, i) => v !== y[i]);
  assert.equal(at, -1, `${what}: element ${at} is ${got[at]}, the shared instance's ${want[at]}`);
}

describe('the product kernel on an unshared memory (wasmGemmOn)', () => {
  afterEach(() => allowFusedProducts(true));

  it('gives the shared instance\'s bits, fused and mul + add, a transposed or not, with and without the epilogue', () => {
    const shared = new WebAssembly.Memory({ initial: 64, maximum: 65536, shared: true });
    registerMemory(shared);
    const unshared = new WebAssembly.Memory({ initial: 64 });
    for (const allowed of relaxedMaddFuses() ? [true, false] : [false]) {
      allowFusedProducts(allowed);
      assert.equal(fusedProducts(), allowed);
      for (const [m, k, n] of SHAPES) {
        for (const transA of [false, true]) {
          for (const epilogue of [false, true]) {
            const [want, got] = bothProducts(shared, unshared, m, k, n, transA, epilogue);
            assertSameBits(got, want, `fused ${allowed} m ${m} k ${k} n ${n} transA ${transA} epilogue ${epilogue}`);
            assert.ok(!got.includes(12345), 'every element written');
          }
        }
      }
    }
  });

  it('runs at the same addresses after the memory grows, and declines k = 0', () => {
    const shared = new WebAssembly.Memory({ initial: 64, maximum: 65536, shared: true });
    registerMemory(shared);
    const unshared = new WebAssembly.Memory({ initial: 64 });
    const [m, k, n] = [9, 129, 13];
    bothProducts(shared, unshared, m, k, n, false, false);
    const buffer = unshared.buffer;
    unshared.grow(8);
    assert.notEqual(unshared.buffer, buffer, 'growth replaced the buffer');
    const [want, got] = bothProducts(shared, unshared, m, k, n, true, true);
    assertSameBits(got, want, 'after growth');
    assert.equal(wasmGemmOn(unshared, { a: 0, b: 0, out: 0 }, 3, 0, 3, false), false);
  });
});
