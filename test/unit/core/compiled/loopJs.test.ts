import { strict as assert } from 'node:assert';
import { compileLoopJs, type JsLoopFunction } from '../../../../src/core/compiled/loopJs';
import { encodeModule } from '../../../../src/core/wasm/binary';
import { emitLoop } from '../../../../src/core/wasm/emitLoop';
import { wasmSimdSupported } from '../../../../src/core/wasm/loopModule';
import type { LoopIR } from '../../../../src/core/wasm/loopIR';
import { interpretLoop } from '../../helpers/loopInterpreter';
import { copyBuffers, randomLoopCase } from '../../helpers/randomLoopIR';

/**
 * A LoopIR printed as JS (loopJs.ts) against the reference interpreter, bit for
 * bit (both add in index order), and the IR's movable buffers and several
 * results in both forms against sums written out by hand.
 */

const sameBits = (actual: number | undefined, expected: number | undefined) => Object.is(actual, expected) || (Number.isNaN(actual) && Number.isNaN(expected));

describe('loop IR as plain JS (loopJs)', () => {
  for (const size of [0, 1, 5, 8, 33, 1001]) {
    it(`random loops of ${size} elements give the interpreter's bits: stores, reductions, the result`, () => {
      for (let k = 0; k < 20; k++) {
        const c = randomLoopCase(31_000 + 100 * size + k, size);
        const expected = copyBuffers(c.buffers);
        const reference = interpretLoop(c.ir, expected, c.scalars);
        const actual = copyBuffers(c.buffers);
        const returned = compileLoopJs(c.ir)(Object.fromEntries(actual))(...c.scalars);
        assert.ok(sameBits(returned as number | undefined, reference.returned), `seed ${31_000 + 100 * size + k}: returned ${String(returned)}, interpreter ${String(reference.returned)}`);
        for (const [id, values] of expected) {
          values.forEach((v, i) => assert.ok(sameBits((actual.get(id) as Float32Array)[i], v), `seed ${31_000 + 100 * size + k}: buffer ${id}[${i}]`));
        }
      }
    });
  }
});

/**
 * Buffers 0 and 1 are one memory of 40 float32 values at offsets the call gives (movable), buffer 2
 * is fixed (a scale at element 0, a reduction stored at element 1). For each i < 12:
 * x = m[o₀ + i], y = m[o₁ + i]; m[o₀ + i] = fr(x·p₀ − y·fixed[0]); returns Σ x·y and max(y); fixed[1] = Σ x.
 */
const MOVABLE: LoopIR = {
  size: 12,
  scalars: ['f64'],
  movable: [0, 1],
  body: [
    { op: 'let', id: 0, value: { op: 'read', buf: 0, read: { kind: 'offset', k: 0 } } },
    { op: 'let', id: 1, value: { op: 'read', buf: 1, read: { kind: 'offset', k: 0 } } },
    { op: 'reduce', acc: 0, value: { op: 'mul', a: { op: 'local', id: 0 }, b: { op: 'local', id: 1 } } },
    { op: 'reduce', acc: 1, value: { op: 'local', id: 1 } },
    { op: 'reduce', acc: 2, value: { op: 'local', id: 0 } },
    {
      op: 'store', buf: 0,
      value: { op: 'sub', a: { op: 'mul', a: { op: 'local', id: 0 }, b: { op: 'scalar', index: 0 } }, b: { op: 'mul', a: { op: 'local', id: 1 }, b: { op: 'read', buf: 2, read: { kind: 'constant', at: 0 } } } },
    },
  ],
  accumulators: [{ op: 'sum', into: 'return' }, { op: 'max', into: 'return' }, { op: 'sum', into: { buf: 2, at: 1 } }],
};

function movableForms(memory: Float32Array, fixed: Float32Array): Record<string, JsLoopFunction> {
  const forms: Record<string, JsLoopFunction> = { js: compileLoopJs(MOVABLE)({ 0: memory, 1: memory, 2: fixed }) };
  if (wasmSimdSupported()) {
    // The shared memory at address 0, the fixed buffer after it.
    const wasmMemory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
    const code = emitLoop(MOVABLE, (buf) => (buf === 2 ? 4 * memory.length : 0));
    const exports = new WebAssembly.Instance(new WebAssembly.Module(encodeModule([{ name: 'f', code }], 1)), { env: { memory: wasmMemory } }).exports;
    const [inMemory, inFixed] = [new Float32Array(wasmMemory.buffer, 0, memory.length), new Float32Array(wasmMemory.buffer, 4 * memory.length, fixed.length)];
    forms.wasm = (...args) => {
      inMemory.set(memory);
      inFixed.set(fixed);
      const result = (exports.f as JsLoopFunction)(...args);
      memory.set(inMemory);
      fixed.set(inFixed);
      return result;
    };
  }
  return forms;
}

describe('movable buffers and several results (loop IR, both forms)', () => {
  for (const form of ['js', 'wasm']) {
    it(`${form}: reads and stores at the offsets given, returns each result, stores the rest`, function () {
      const memory = Float32Array.from({ length: 40 }, (_, i) => Math.fround(Math.sin(i + 0.5) * 3));
      const fixed = Float32Array.from([0.75, 12345, 9]);
      const forms = movableForms(memory, fixed);
      if (!forms[form]) this.skip();
      const before = memory.slice();
      const [x0, y0, factor] = [20, 3, 1.3];
      const result = forms[form](factor, x0, y0) as number[];
      let [dot, max, sum] = [0, -Infinity, 0];
      for (let i = 0; i < 12; i++) {
        const [x, y] = [before[x0 + i], before[y0 + i]];
        [dot, max, sum] = [dot + x * y, Math.max(max, y), sum + x];
        assert.equal(memory[x0 + i], Math.fround(x * factor - y * 0.75), `stored element ${i}`);
      }
      assert.equal(result.length, 2);
      assert.ok(Math.abs(result[0] - dot) <= 1e-14 * 12 * 9, `Σ x·y: ${result[0]} vs ${dot}`);
      assert.equal(result[1], max);
      assert.ok(Math.abs(fixed[1] - sum) <= 1e-6 * 36, `Σ x: ${fixed[1]} vs ${sum}`);
      // Nothing outside the stored slot changed.
      memory.forEach((v, i) => (i < x0 || i >= x0 + 12) && assert.equal(v, before[i], `element ${i} outside the slot`));
    });
  }
});
