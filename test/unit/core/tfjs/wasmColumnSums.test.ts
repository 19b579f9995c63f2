import { strict as assert } from 'node:assert';
import { sumColumns } from '../../../../src/core/tfjs/fastWasmReductions';
import { wasmSumColumns } from '../../../../src/core/tfjs/wasmColumnSums';

/**
 * Column sums in WebAssembly SIMD on an unshared memory (src/core/tfjs/wasmColumnSums.ts) against the JS
 * loop's float32 sums in row order, bit for bit: column counts through the groups of 16, 4 and 1, one row
 * and none, −0, infinities and NaN; nothing written past the sums; views not of the memory's current
 * buffer declined.
 */
const bits = (a: Float32Array) => Array.from(new Int32Array(a.slice().buffer), (v, i) => (Number.isNaN(a[i]) ? 'NaN' : v));

describe('wasmSumColumns: float32 column sums in row order on an unshared memory', () => {
  const memory = new WebAssembly.Memory({ initial: 12 });

  for (const [rows, cols] of [[5, 1], [3, 3], [7, 4], [9, 5], [6, 15], [8192, 16], [11, 17], [2048, 32], [4, 37], [1, 20], [0, 8]]) {
    it(`${rows} × ${cols}`, () => {
      const x = new Float32Array(memory.buffer, 64, rows * cols);
      // Magnitudes 1e-3 … 1e3 and mixed signs: the order of float32 additions shows in the bits.
      for (let i = 0; i < x.length; i++) x[i] = Math.sin(i * 1.3) * 10 ** ((i % 7) - 3);
      if (x.length > 9) [x[2], x[5], x[9]] = [-0, Infinity, NaN];
      const sums = new Float32Array(memory.buffer, 64 + 4 * x.length + 32, cols);
      const after = new Float32Array(memory.buffer, sums.byteOffset + sums.byteLength, 4).fill(-7);
      sums.fill(12345);
      const expected = new Float32Array(cols);
      sumColumns(x.slice(), expected, rows, cols);
      assert.ok(wasmSumColumns(memory, x, sums, rows, cols));
      assert.deepEqual(bits(sums), bits(expected));
      assert.deepEqual([...after], [-7, -7, -7, -7], 'written past the sums');
    });
  }

  it('a column of −0s sums to +0, as the JS loop from 0 does; a column of one row is that row', () => {
    const x = new Float32Array(memory.buffer, 0, 8).fill(-0);
    const sums = new Float32Array(memory.buffer, 64, 4);
    assert.ok(wasmSumColumns(memory, x, sums, 2, 4));
    assert.ok(sums.every((v) => Object.is(v, 0)));
    x.set([1.5, -2, 3e-8, -0]);
    assert.ok(wasmSumColumns(memory, x.subarray(0, 4), sums, 1, 4));
    assert.deepEqual([...sums], [1.5, -2, Math.fround(3e-8), 0]);
  });

  it('declines views not of the memory\'s current buffer (another array, or taken before a growth)', () => {
    const [x, sums] = [new Float32Array(memory.buffer, 0, 16), new Float32Array(memory.buffer, 64, 4)];
    assert.equal(wasmSumColumns(memory, new Float32Array(16), sums, 4, 4), false);
    memory.grow(1);
    assert.equal(wasmSumColumns(memory, x, sums, 4, 4), false);
  });
});
