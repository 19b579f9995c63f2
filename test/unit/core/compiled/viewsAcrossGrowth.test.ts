import { strict as assert } from 'node:assert';
import { memoryOf, registerMemory } from '../../../../src/core/compiled/gemmKernels';
import { wasmVectorProduct } from '../../../../src/core/compiled/vectorProducts';
import { wasmTranspose } from '../../../../src/core/compiled/wasmTranspose';
import { sharedMemory } from '../../../../src/core/wasm/loopModule';

/**
 * V8 gives every shared memory of a thread a new buffer object when any of them grows; views made before keep the
 * old one. The kernels over a program's memory must still see such views as one memory's.
 */
describe('views of one shared memory made across other memories growing', () => {
  it('memoryOf finds the memory of views made before, between and after two growths elsewhere', () => {
    const memory = sharedMemory(2);
    registerMemory(memory);
    const other = sharedMemory(1);
    const before = new Float32Array(memory.buffer, 0, 4);
    other.grow(1);
    const between = new Float32Array(memory.buffer, 16, 4);
    other.grow(1);
    const after = new Float32Array(memory.buffer, 32, 4);
    assert.notEqual(before.buffer, after.buffer);
    for (const view of [before, between, after]) assert.equal(memoryOf(view), memory);
    assert.equal(memoryOf(new Float32Array(other.buffer, 0, 4)), undefined);
  });

  it('wasmTranspose and wasmVectorProduct run on views made on either side of a growth elsewhere', () => {
    const memory = sharedMemory(2);
    registerMemory(memory);
    const from = new Float32Array(memory.buffer, 0, 16);
    from.forEach((_, i) => (from[i] = i + 1));
    const a = new Float32Array(memory.buffer, 256, 8).fill(1);
    sharedMemory(1).grow(1);
    const into = new Float32Array(memory.buffer, 128, 16);
    const b = new Float32Array(memory.buffer, 512, 4).fill(2);
    const out = new Float32Array(memory.buffer, 768, 2);
    assert.ok(wasmTranspose(from, 4, 4, into));
    assert.deepEqual([...into.subarray(0, 4)], [1, 5, 9, 13]);
    assert.ok(wasmVectorProduct(a, 0, b, 0, out, 0, 2, 4, false));
    assert.deepEqual([...out], [8, 8]);
  });
});
