import { strict as assert } from 'node:assert';
import { fr, lit, type Expr, type LoopIR } from '../../../../src/core/wasm/loopIR';
import { instantiateLoops, sharedMemory } from '../../../../src/core/wasm/loopModule';

/**
 * instantiateLoops reuses what it can (loopModule.ts): a loop instantiated for another layout whose
 * buffers have the same addresses is that function, and a module is found by its loops, their
 * buffers' addresses and the memory's pages without emitting it again. Nothing reused may run
 * at another address, with another literal or over a smaller memory than it was made for.
 */
const SIZE = 64;
const read = (buf: number): Expr => ({ op: 'read', buf, read: { kind: 'offset', k: 0 } });
/** buf `to`[i] = fr(buf `from`[i] · factor). */
const scale = (from: number, to: number, factor: number): LoopIR => ({ size: SIZE, scalars: [], accumulators: [], body: [{ op: 'store', buf: to, value: fr({ op: 'mul', a: read(from), b: lit(factor) }) }] });
/** buf `to`[i] = value. */
const fill = (to: number, value: number): LoopIR => ({ size: SIZE, scalars: [], accumulators: [], body: [{ op: 'store', buf: to, value: lit(value) }] });

/** Buffer b at byte 1024 · b, or as `moved` says. */
const layoutOf = (moved: Record<number, number> = {}) => (buf: number) => moved[buf] ?? 1024 * buf;
const at = (memory: WebAssembly.Memory, address: number) => new Float32Array(memory.buffer, address, SIZE);
const ramp = (memory: WebAssembly.Memory, address: number, from: number) => at(memory, address).set(Float32Array.from({ length: SIZE }, (_, i) => from + i / 8));

describe('WebAssembly loops reused across layouts and compiles', () => {
  it('a loop whose buffers keep their addresses is the same function; one whose buffer moved runs at its new address', () => {
    const memory = sharedMemory(1);
    const loops = [scale(0, 1, 3), scale(2, 3, 5)];
    const first = layoutOf();
    const before = instantiateLoops(loops, first, memory);
    const second = layoutOf({ 0: 8192 });
    const after = instantiateLoops(loops, second, memory, { layout: first, functions: before });
    assert.equal(after[1], before[1], 'buffers 2 and 3 did not move');
    assert.notEqual(after[0], before[0]);
    ramp(memory, 1024 * 0, 1);
    ramp(memory, 8192, 100);
    after[0]();
    assert.deepEqual(Array.from(at(memory, 1024)), Array.from(at(memory, 8192), (v) => Math.fround(v * 3)));
  });

  it('the same loops at other addresses get a module of their own', () => {
    const memory = sharedMemory(1);
    const loops = [scale(0, 1, 7)];
    ramp(memory, 0, 2);
    ramp(memory, 8192, -40);
    instantiateLoops(loops, layoutOf(), memory)[0]();
    assert.deepEqual(Array.from(at(memory, 1024)), Array.from(at(memory, 0), (v) => Math.fround(v * 7)));
    instantiateLoops(loops, layoutOf({ 0: 8192, 1: 12288 }), memory)[0]();
    assert.deepEqual(Array.from(at(memory, 12288)), Array.from(at(memory, 8192), (v) => Math.fround(v * 7)));
  });

  it('literals JSON cannot tell apart (-0 and 0, NaN and ±Infinity) are other loops', () => {
    const memory = sharedMemory(1);
    for (const value of [-0, 0, NaN, Infinity, -Infinity, 0, -0]) {
      instantiateLoops([fill(0, value)], layoutOf(), memory)[0]();
      at(memory, 0).forEach((v, i) => assert.ok(Object.is(v, value), `${value}: element ${i} is ${v}`));
    }
  });

  it('a module made for a memory of more pages is not linked to a smaller one', () => {
    const loops = [scale(0, 1, 9)];
    const large = sharedMemory(2);
    instantiateLoops(loops, layoutOf(), large);
    const small = sharedMemory(1);
    ramp(small, 0, 3);
    instantiateLoops(loops, layoutOf(), small)[0]();
    assert.deepEqual(Array.from(at(small, 1024)), Array.from(at(small, 0), (v) => Math.fround(v * 9)));
  });
});
