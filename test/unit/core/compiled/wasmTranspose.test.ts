import { strict as assert } from 'node:assert';
import { registerMemory } from '../../../../src/core/compiled/gemmKernels';
import { wasmTranspose, wasmTransposeOn } from '../../../../src/core/compiled/wasmTranspose';
import { spread } from './compiledCheck';

/**
 * The WebAssembly transpose (4 × 4 tiles of shuffles in blocks of 16 rows, the last one cut short; the
 * edges one number at a time) over a program's memory: every element where the JS transpose puts it, bit for bit (-0 and NaN included), and nothing
 * written past `into`; arrays outside a registered memory are left to JS (false, nothing written).
 */
describe('wasmTranspose: a program memory\'s matrix transposed in 4 × 4 tiles', () => {
  // 40 pages: room for the conv gradient's [2048, 144] patches and their transpose.
  const memory = new WebAssembly.Memory({ initial: 40, maximum: 65536, shared: true });
  registerMemory(memory);
  const views = (count: number): [Float32Array, Float32Array] => [new Float32Array(memory.buffer, 16, count), new Float32Array(memory.buffer, 16 + 4 * count + 16, count)];

  for (const [rows, cols] of [[4, 4], [4, 8], [12, 4], [64, 64], [8, 36], [6, 4], [4, 5], [130, 10], [3, 3], [1, 7], [5, 1], [10, 130], [36, 8], [70, 13], [2048, 144]]) {
    it(`${rows} × ${cols}`, () => {
      const [from, into] = views(rows * cols);
      const after = new Float32Array(memory.buffer, into.byteOffset + into.byteLength, 4).fill(-7);
      from.set(spread(rows * cols, 5));
      from[1] = -0;
      from[2] = NaN;
      into.fill(12345);
      assert.ok(wasmTranspose(from, rows, cols, into));
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < cols; c++) assert.ok(Object.is(into[c * rows + r], from[r * cols + c]), `(${r}, ${c}): ${into[c * rows + r]} for ${from[r * cols + c]}`);
      }
      assert.deepEqual([...after], [-7, -7, -7, -7], 'written past the transpose');
    });
  }

  it('declines arrays outside a program memory', () => {
    assert.equal(wasmTranspose(new Float32Array(16), 4, 4, new Float32Array(16)), false);
  });
});

describe('wasmTransposeOn: the same transpose on an unshared memory (TensorFlow.js wasm backend\'s heap)', () => {
  const memory = new WebAssembly.Memory({ initial: 2 });
  const views = (count: number): [Float32Array, Float32Array] => [new Float32Array(memory.buffer, 16, count), new Float32Array(memory.buffer, 16 + 4 * count + 16, count)];

  for (const [rows, cols] of [[4, 4], [12, 4], [64, 64], [8, 36], [130, 10], [3, 3], [10, 130], [36, 8], [70, 13]]) {
    it(`${rows} × ${cols}`, () => {
      const [from, into] = views(rows * cols);
      const after = new Float32Array(memory.buffer, into.byteOffset + into.byteLength, 4).fill(-7);
      from.set(spread(rows * cols, 7));
      from[1] = -0;
      into.fill(12345);
      assert.ok(wasmTransposeOn(memory, from, rows, cols, into));
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < cols; c++) assert.ok(Object.is(into[c * rows + r], from[r * cols + c]), `(${r}, ${c}): ${into[c * rows + r]} for ${from[r * cols + c]}`);
      }
      assert.deepEqual([...after], [-7, -7, -7, -7], 'written past the transpose');
    });
  }

  it('declines views not of the memory\'s current buffer (another array, or taken before a growth)', () => {
    const [from, into] = views(16);
    assert.equal(wasmTransposeOn(memory, new Float32Array(16), 4, 4, into), false);
    memory.grow(1);
    assert.equal(wasmTransposeOn(memory, from, 4, 4, into), false);
    const [fromLater, intoLater] = views(16);
    assert.ok(wasmTransposeOn(memory, fromLater, 4, 4, intoLater));
  });
});
