import { strict as assert } from 'node:assert';
import { memoryOf, registerMemory, wasmGemm } from '../../../../src/core/compiled/gemmKernels';

const shared = (pages: number) => new WebAssembly.Memory({ initial: pages, maximum: 65536, shared: true });

/**
 * Growing one shared memory gives every shared memory a new buffer object (V8 11.3): a registered program
 * memory must still be found from views made afterwards, or its products silently fall back to JS.
 */
describe('memoryOf: a registered memory is found after another shared memory grew', () => {
  it('views made before and after the growth find it; the WebAssembly product applies to both', () => {
    const program = shared(1);
    registerMemory(program);
    const before = new Float32Array(program.buffer, 0, 16);
    shared(1).grow(1);
    const after = new Float32Array(program.buffer, 0, 16);
    assert.equal(memoryOf(before), program);
    assert.equal(memoryOf(after), program);
    const [a, b, out] = [0, 64, 128].map((at) => new Float32Array(program.buffer, at, 16));
    a.fill(1);
    b.fill(2);
    assert.ok(wasmGemm(a, b, out, 4, 4, 4, false));
    assert.deepEqual([...out], new Array<number>(16).fill(8));
    // Operands from either side of a growth: one memory, so still the WebAssembly product.
    const oldA = new Float32Array(before.buffer, 0, 16);
    shared(1).grow(1);
    const newOut = new Float32Array(program.buffer, 128, 16);
    newOut.fill(0);
    assert.ok(wasmGemm(oldA, b, newOut, 4, 4, 4, false));
    assert.deepEqual([...newOut], new Array<number>(16).fill(8));
  });

  it('a shared buffer of no registered memory is none', () => {
    assert.equal(memoryOf(new Float32Array(shared(1).buffer, 0, 4)), undefined);
    assert.equal(memoryOf(new Float32Array(4)), undefined);
  });
});
