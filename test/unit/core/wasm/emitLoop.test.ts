import { strict as assert } from 'node:assert';
import { encodeModule } from '../../../../src/core/wasm/binary';
import { emitLoop } from '../../../../src/core/wasm/emitLoop';
import { MathImports } from '../../../../src/core/wasm/emitMathCall';
import { MATH_ARITY, type LoopIR } from '../../../../src/core/wasm/loopIR';
import { interpretLoop, type InterpretedLoop, type LoopBuffers } from '../../helpers/loopInterpreter';
import { copyBuffers, randomLoopCase, type LoopCase } from '../../helpers/randomLoopIR';
import { runLoopsInWasm, type WasmResult } from '../../helpers/wasmLoopRunner';

/**
 * The WebAssembly loops against the reference interpreter, on seeded random
 * loops: stores bit for bit (Object.is), max/min reductions bit for bit,
 * sums and products to the round-off of adding in another order.
 */

/** float32 x ± δ, rounded: where a float64 value within δ of x lands when stored. */
const storedRange = (x: number, delta: number): [number, number] => [Math.fround(x - delta), Math.fround(x + delta)];

/** The round-off allowed between two summation orders of accumulator k (0 for max and min: those are exact). */
function allowance(ir: LoopIR, reference: InterpretedLoop, k: number): number {
  const op = ir.accumulators[k].op;
  if (op === 'sum') return 1e-12 * reference.magnitudes[k];
  if (op === 'prod') return 1e-12 * Math.abs(reference.accumulators[k]);
  return 0;
}

function sameFloat64(actual: number, expected: number, delta: number, what: string): void {
  if (Object.is(actual, expected) || (Number.isNaN(actual) && Number.isNaN(expected))) return;
  assert.ok(Number.isFinite(expected) && Math.abs(actual - expected) <= delta, `${what}: wasm ${actual}, interpreter ${expected} (allowed ${delta})`);
}

/** Compares a wasm run with the interpreter's: every buffer element, and the returned value. */
function assertSameAsInterpreter(c: LoopCase, run: WasmResult, what: string): void {
  const buffers: LoopBuffers = copyBuffers(c.buffers);
  const reference = interpretLoop(c.ir, buffers, c.scalars);
  const reducedAt = new Map<number, number>();
  c.ir.accumulators.forEach((a, k) => a.into !== 'return' && reducedAt.set(a.into.at, k));
  for (const [id, expected] of buffers) {
    const actual = run.buffers.get(id) as Float32Array | Int32Array;
    for (let i = 0; i < expected.length; i++) {
      const k = id === c.reductionBuffer ? reducedAt.get(i) : undefined;
      if (k !== undefined && allowance(c.ir, reference, k) > 0 && !Object.is(actual[i], expected[i])) {
        // A float32 store of a float64 within the allowance of the interpreter's.
        const into = c.ir.accumulators[k].into as { divideBy?: number };
        const exact = reference.accumulators[k] / (into.divideBy ?? 1);
        const [lo, hi] = storedRange(exact, allowance(c.ir, reference, k) / Math.abs(into.divideBy ?? 1));
        assert.ok(actual[i] >= lo && actual[i] <= hi, `${what}: reduction ${k} stored ${actual[i]}, interpreter ${expected[i]} (range ${lo}..${hi})`);
        continue;
      }
      assert.ok(Object.is(actual[i], expected[i]), `${what}: buffer ${id}[${i}] is ${actual[i]} in wasm, ${expected[i]} in the interpreter`);
    }
  }
  const returning = c.ir.accumulators.map((a) => a.into).lastIndexOf('return');
  if (returning < 0) assert.equal(run.returned, undefined, `${what}: a result without a returned accumulator`);
  else sameFloat64(run.returned as number, reference.returned as number, allowance(c.ir, reference, returning), `${what}: returned`);
}

const SMALL_SIZES = Array.from({ length: 51 }, (_, n) => n);
const LARGE_SIZES = [255, 1001, 4099];

describe('WebAssembly loops (emitLoop) match the reference interpreter', () => {
  for (const size of SMALL_SIZES) {
    it(`random loops of ${size} elements`, () => {
      const cases = Array.from({ length: 12 }, (_, k) => randomLoopCase(1000 * size + k, size));
      const runs = runLoopsInWasm(cases);
      cases.forEach((c, k) => assertSameAsInterpreter(c, runs[k], `size ${size}, seed ${1000 * size + k}`));
    });
  }

  for (const size of LARGE_SIZES) {
    it(`random loops of ${size} elements (vector loop, then a tail)`, () => {
      const cases = Array.from({ length: 30 }, (_, k) => randomLoopCase(7_000_000 + 1000 * size + k, size));
      const runs = runLoopsInWasm(cases);
      cases.forEach((c, k) => assertSameAsInterpreter(c, runs[k], `size ${size}, seed ${7_000_000 + 1000 * size + k}`));
    });
  }

  it('covers what it claims: every read kind, both let kinds, every reduction target, wide and narrow windows', () => {
    const seen = new Set<string>();
    for (const size of [...SMALL_SIZES, ...LARGE_SIZES]) {
      for (let k = 0; k < 12; k++) {
        const { ir } = randomLoopCase(1000 * size + k, size);
        JSON.stringify(ir, (key, value: unknown) => {
          if (key === 'read') {
            const read = value as { kind: string; lo?: number; hi?: number; k?: number; padded?: boolean };
            seen.add(`read ${read.kind}`);
            if (read.kind === 'window' && read.lo !== undefined && read.hi !== undefined) {
              if (read.lo > 0 && read.hi < size) seen.add('window padded at both ends');
              if ((read.k ?? 0) < 0) seen.add('window k < 0');
            }
            if (read.kind === 'offset' && (read.k ?? 0) > 0) seen.add('offset k > 0');
            if (read.kind === 'general') seen.add(`general padded ${String(read.padded)}`);
          }
          if (key === 'op' && typeof value === 'string') seen.add(`op ${value}`);
          if (key === 'fn' && typeof value === 'string') seen.add(`call ${value}`);
          return value;
        });
        ir.accumulators.forEach((a) => seen.add(`reduce ${a.op} into ${a.into === 'return' ? 'return' : a.into.divideBy === undefined ? 'buffer' : 'buffer / divideBy'}`));
        ir.scalars.forEach((kind) => seen.add(`scalar ${kind}`));
      }
    }
    const expected = [
      ...['offset', 'window', 'modulo', 'divide', 'constant', 'general'].map((r) => `read ${r}`),
      'window padded at both ends', 'window k < 0', 'offset k > 0', 'general padded true', 'general padded false',
      ...['lit', 'scalar', 'local', 'fr', 'add', 'sub', 'mul', 'div', 'min', 'max', 'neg', 'abs', 'sqrt', 'floor', 'ceil', 'call', 'select', 'let', 'store', 'reduce'].map((op) => `op ${op}`),
      ...Object.keys(MATH_ARITY).map((fn) => `call ${fn}`),
      ...['sum', 'max', 'min', 'prod'].flatMap((op) => ['return', 'buffer', 'buffer / divideBy'].map((into) => `reduce ${op} into ${into}`)),
      'scalar f32', 'scalar f64',
    ];
    assert.deepEqual(expected.filter((e) => !seen.has(e)), []);
  });

  it('emits modules WebAssembly.validate accepts, with and without Math imports', () => {
    for (let seed = 0; seed < 60; seed++) {
      const { ir } = randomLoopCase(seed, [0, 7, 33, 100][seed % 4]);
      const imports = new MathImports();
      const code = emitLoop(ir, (buf) => 64 * buf, imports);
      const bytes = encodeModule([{ name: 'f', code }], 1, imports.used.map((name) => ({ module: 'Math', name, params: MATH_ARITY[name] })));
      assert.ok(WebAssembly.validate(bytes), `seed ${seed}: the module does not validate`);
    }
  });
});
