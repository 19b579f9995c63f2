import { strict as assert } from 'node:assert';
import { registerMemory } from '../../../../src/core/compiled/gemmKernels';
import { POOL_KERNELS } from '../../../../src/core/compiled/poolKernels';
import { wasmPoolFor } from '../../../../src/core/compiled/poolWasm';

/**
 * The WebAssembly max pool (poolWasm.ts) against the JS loops on the same numbers, bit for bit:
 * ties (the first largest wins the gradient), NaN (never a maximum), −∞, windows clipped by padding,
 * overlapping windows (forward in WebAssembly, gradient in JS) and disjoint ones (both in WebAssembly).
 */

/** batch, inH, inW, channels, outH, outW, fh, fw, sh, sw, top, left */
const GEOMETRIES = [
  [32, 12, 12, 8, 6, 6, 2, 2, 2, 2, 0, 0],
  [2, 7, 5, 4, 4, 3, 3, 3, 2, 2, 1, 1],
  [2, 5, 6, 8, 5, 3, 2, 3, 1, 2, 0, 1],
  [1, 6, 6, 4, 3, 3, 2, 2, 2, 2, 0, 0],
  [3, 5, 5, 4, 2, 2, 3, 3, 3, 3, 1, 1],
];

describe('max pooling as WebAssembly SIMD over a program memory', () => {
  const memory = new WebAssembly.Memory({ initial: 64, maximum: 65536, shared: true });
  registerMemory(memory);
  let offset = 0;
  const alloc = (n: number) => {
    const a = new Float32Array(memory.buffer, offset, n);
    offset += 4 * n;
    return a;
  };
  const same = (a: Float32Array, b: Float32Array) => a.findIndex((v, i) => !Object.is(v, b[i]));

  for (const g of GEOMETRIES) {
    it(`geometry [${g.join(', ')}]: maxPool and maxPoolGrad equal the JS loops bit for bit`, () => {
      const [batch, inH, inW, ch, outH, outW] = g;
      const n = batch * inH * inW * ch;
      const m = batch * outH * outW * ch;
      const x = alloc(n), out = alloc(m), dy = alloc(m), dx = alloc(n);
      for (let i = 0; i < n; i++) x[i] = Math.round(Math.sin(i * 1.7) * 4) / 2;
      x[3] = NaN;
      x[5] = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < ch; i++) x[inW * ch + i] = Number.NaN;
      for (let i = 0; i < m; i++) dy[i] = Math.fround(Math.cos(i));
      assert.ok(wasmPoolFor(x, out, g), 'the WebAssembly functions apply');
      const geometry = Float32Array.from(g);
      const [xJs, dyJs] = [Float32Array.from(x), Float32Array.from(dy)];
      const [outJs, dxJs] = [new Float32Array(m), new Float32Array(n)];
      POOL_KERNELS.maxPool(x, out, geometry);
      POOL_KERNELS.maxPool(xJs, outJs, geometry);
      dx.fill(7);
      POOL_KERNELS.maxPoolGrad(dy, x, dx, geometry);
      POOL_KERNELS.maxPoolGrad(dyJs, xJs, dxJs, geometry);
      assert.equal(same(out, outJs), -1, 'forward');
      assert.equal(same(dx, dxJs), -1, 'gradient');
      assert.ok(dxJs.some((v) => v !== 0) && outJs.some((v) => v === Number.NEGATIVE_INFINITY || v > 0), 'the case is not trivial');
    });
  }

  it('channels not a multiple of 4, or arrays outside a program memory, stay in JS', () => {
    assert.equal(wasmPoolFor(alloc(12), alloc(12), [1, 2, 2, 3, 1, 1, 2, 2, 2, 2, 0, 0]), undefined);
    assert.equal(wasmPoolFor(new Float32Array(16), new Float32Array(16), [1, 2, 2, 4, 1, 1, 2, 2, 2, 2, 0, 0]), undefined);
  });
});
