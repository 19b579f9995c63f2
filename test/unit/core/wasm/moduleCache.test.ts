import { strict as assert } from 'node:assert';
import { encodeModule, Code } from '../../../../src/core/wasm/binary';
import { compiledModule, describedModule } from '../../../../src/core/wasm/moduleCache';
import { runLoopsInWasm } from '../../helpers/wasmLoopRunner';
import type { LoopIR } from '../../../../src/core/wasm/loopIR';

/**
 * Compiled modules are reused by their bytes (moduleCache.ts): the same bytes give the same module,
 * other bytes another, a program compiled twice runs the same from either instance, and old entries
 * leave the cache.
 */

/** A module exporting f() returning `value`. */
function constantModule(value: number): Uint8Array<ArrayBuffer> {
  const code = new Code([], ['i32']);
  code.i32(value);
  return encodeModule([{ name: 'f', code }], 1);
}

describe('compiled WebAssembly modules by their bytes', () => {
  it('the same bytes (another array) give the same module; other bytes another', () => {
    const a = compiledModule(constantModule(7));
    assert.equal(compiledModule(constantModule(7)), a);
    const b = compiledModule(constantModule(8));
    assert.notEqual(b, a);
    const run = (m: WebAssembly.Module) => (new WebAssembly.Instance(m, { env: { memory: new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true }) } }).exports.f as () => number)();
    assert.equal(run(a), 7);
    assert.equal(run(b), 8);
  });

  it('keeps the 16 most recent: the 17th module compiled since pushes the first out', () => {
    const first = compiledModule(constantModule(1000));
    for (let k = 1; k <= 16; k++) compiledModule(constantModule(1000 + k));
    assert.notEqual(compiledModule(constantModule(1000)), first, 'compiled again after leaving the cache');
    const recent = compiledModule(constantModule(1016));
    assert.equal(compiledModule(constantModule(1016)), recent);
  });

  it('a loop compiled twice (one cached module, two instances over two memories) computes the same in each', () => {
    const ir: LoopIR = { size: 100, scalars: [], accumulators: [], body: [{ op: 'store', buf: 1, value: { op: 'fr', a: { op: 'mul', a: { op: 'read', buf: 0, read: { kind: 'offset', k: 0 } }, b: { op: 'lit', value: 3 } } } }] };
    const input = Float32Array.from({ length: 100 }, (_, i) => i / 7);
    const runs = [0, 1].map(() => runLoopsInWasm([{ ir, buffers: new Map([[0, input], [1, new Float32Array(100)]]), scalars: [] }])[0]);
    const expected = Array.from(input, (v) => Math.fround(v * 3));
    for (const r of runs) assert.deepEqual(Array.from(r.buffers.get(1) as Float32Array), expected);
  });

  it('a description seen before gives its module without making the bytes again; the 16 most recent are kept', () => {
    let made = 0;
    const bytes = (value: number) => () => {
      made++;
      return constantModule(value);
    };
    const a = describedModule('seven', bytes(7));
    assert.equal(describedModule('seven', bytes(7)), a);
    assert.equal(made, 1, 'the bytes were made once');
    // Another description of the same bytes: made, then found by them.
    assert.equal(describedModule('seven again', bytes(7)), a);
    assert.equal(made, 2);
    for (let k = 1; k <= 16; k++) describedModule(`other ${k}`, bytes(2000 + k));
    describedModule('seven', bytes(7));
    assert.equal(made, 2 + 16 + 1, 'made again after leaving the cache');
  });
});
