import { strict as assert } from 'node:assert';
import { compileLoopJs } from '../../../../src/core/compiled/loopJs';
import type { Expr, LoopIR, Read } from '../../../../src/core/wasm/loopIR';
import { MAX_PERIOD, periodicValues } from '../../../../src/core/wasm/periodicValues';
import { interpretLoop } from '../../helpers/loopInterpreter';
import { runLoopsInWasm } from '../../helpers/wasmLoopRunner';

/**
 * Per-channel values (periodicValues.ts) computed once per block of four channels before the vector loop
 * instead of once per element: the loop must still give each element the plain-JS loop's bits, for every
 * period, size (the vectors short of a whole period go to the scalar loop) and kind of value.
 */

const read = (buf: number, r: Read): Expr => ({ op: 'read', buf, read: r });
const offset = (buf: number) => read(buf, { kind: 'offset', k: 0 });
const channel = (buf: number, m: number, k?: number) => read(buf, { kind: 'modulo', m, ...(k === undefined ? {} : { k }) });

/** Batch norm's kernel: fr(β[c] + (x − μ[c])·γ[c] / √(σ²[c] + ε)), β and γ at offsets of one parameter buffer. */
function batchNormIR(m: number, size: number, scale: (m: number) => Expr): LoopIR {
  const centred = { op: 'mul' as const, a: { op: 'sub' as const, a: offset(1), b: channel(2, m) }, b: channel(0, m, 7) };
  return {
    size,
    scalars: [],
    accumulators: [],
    body: [{ op: 'store', buf: 4, value: { op: 'fr', a: { op: 'add', a: channel(0, m, 7 + m), b: { op: 'div', a: centred, b: scale(m) } } } }],
  };
}

const sqrtScale = (m: number): Expr => ({ op: 'sqrt', a: { op: 'add', a: channel(3, m), b: { op: 'lit', value: 1e-5 } } });
/** A float32 value (rounded) holding a Math call. */
const roundedExpScale = (m: number): Expr => ({ op: 'fr', a: { op: 'call', fn: 'exp', args: [{ op: 'mul', a: channel(3, m), b: { op: 'lit', value: 0.5 } }] } });

function expected(m: number, size: number, x: Float32Array, params: Float32Array, mean: Float32Array, variance: Float32Array, scale: 'sqrt' | 'exp'): Float32Array {
  return Float32Array.from({ length: size }, (_, i) => {
    const c = i % m;
    const s = scale === 'sqrt' ? Math.sqrt(variance[c] + 1e-5) : Math.fround(Math.exp(variance[c] * 0.5));
    return Math.fround(params[7 + m + c] + ((x[i] - mean[c]) * params[7 + c]) / s);
  });
}

describe('periodic values: computed once per block of channels, the same bits as the JS loop', () => {
  for (const m of [4, 8, 16, 32]) {
    for (const scale of ['sqrt', 'exp'] as const) {
      it(`period ${m}, ${scale === 'sqrt' ? 'a float64 square root' : 'a float32 Math.exp'}: every element, at sizes short of, at and past whole turns`, () => {
        const sizes = [0, 3, m, m + 4, 5 * m + 3, 1001 - (1001 % m)];
        const cases = sizes.map((size) => {
          const ir = batchNormIR(m, size, scale === 'sqrt' ? sqrtScale : roundedExpScale);
          assert.equal(size >= m ? periodicValues(ir, 0, size)?.values.length : 1, 1, `the scale is taken at size ${size}`);
          const x = Float32Array.from({ length: size }, (_, j) => Math.fround(Math.sin(0.7 * j) * 3));
          const params = Float32Array.from({ length: 7 + 2 * m }, (_, j) => Math.fround(0.3 * j - 1.7));
          const mean = Float32Array.from({ length: m }, (_, j) => Math.fround(0.11 * j - 0.5));
          // Channel 1's variance is negative under −ε: its square root is NaN, which must come through too.
          const variance = Float32Array.from({ length: m }, (_, j) => (j === 1 ? -1 : Math.fround(0.37 * j + 0.01)));
          const buffers = new Map<number, Float32Array>([[0, params], [1, x], [2, mean], [3, variance], [4, new Float32Array(size)]]);
          return { ir, buffers, want: expected(m, size, x, params, mean, variance, scale) };
        });
        const runs = runLoopsInWasm(cases.map((c) => ({ ir: c.ir, buffers: c.buffers, scalars: [] })));
        cases.forEach((c, k) => {
          assert.deepEqual(Array.from(runs[k].buffers.get(4) as Float32Array), Array.from(c.want), `wasm, size ${c.ir.size}`);
          const js = Object.fromEntries([...c.buffers].map(([id, b]) => [id, b.slice()]));
          compileLoopJs(c.ir)(js)();
          assert.deepEqual(Array.from(js[4]), Array.from(c.want), `JS, size ${c.ir.size}`);
        });
      });
    }
  }

  it('with accumulators beside the periodic values: a max bit for bit, a sum to the round-off of its lanes, against the reference interpreter', () => {
    const m = 16;
    for (const size of [m, 4 * m + 8, 1000]) {
      const scaled: Expr = { op: 'div', a: offset(1), b: sqrtScale(m) };
      const ir: LoopIR = {
        size,
        scalars: [],
        body: [
          { op: 'let', id: 1, value: scaled },
          { op: 'store', buf: 4, value: { op: 'fr', a: { op: 'local', id: 1 } } },
          { op: 'reduce', acc: 0, value: { op: 'local', id: 1 } },
          { op: 'reduce', acc: 1, value: { op: 'local', id: 1 } },
        ],
        accumulators: [{ op: 'max', into: { buf: 5, at: 0 } }, { op: 'sum', into: 'return' }],
      };
      assert.equal(periodicValues(ir, 0, size)?.period, m);
      const x = Float32Array.from({ length: size }, (_, j) => Math.fround(Math.cos(0.3 * j) * 5));
      const variance = Float32Array.from({ length: m }, (_, j) => Math.fround(0.2 * j + 0.05));
      const buffers = new Map<number, Float32Array>([[1, x], [3, variance], [4, new Float32Array(size)], [5, new Float32Array(1)]]);
      const [run] = runLoopsInWasm([{ ir, buffers, scalars: [] }]);
      const reference = new Map([...buffers].map(([id, b]) => [id, b.slice()]));
      const expected = interpretLoop(ir, reference);
      assert.deepEqual(Array.from(run.buffers.get(4) as Float32Array), Array.from(reference.get(4) as Float32Array), `stores, size ${size}`);
      assert.ok(Object.is((run.buffers.get(5) as Float32Array)[0], (reference.get(5) as Float32Array)[0]), `max, size ${size}`);
      assert.ok(Math.abs((run.returned as number) - (expected.returned as number)) <= 1e-12 * expected.magnitudes[1], `sum, size ${size}: ${run.returned} against ${expected.returned}`);
    }
  });

  it('periodic reads widened to float64 and read as float32 in one loop, beside a slow value: every element, every block', () => {
    const m = 8;
    for (const size of [m, 3 * m + 4, 999]) {
      // fr(γ[c]·x) is exact in float32 (read as float32x4); fr(β[c] + x / √(σ²[c] + ε)) widens β[c] and x.
      const ir: LoopIR = {
        size,
        scalars: [],
        accumulators: [],
        body: [
          { op: 'store', buf: 4, value: { op: 'fr', a: { op: 'add', a: channel(0, m, 3), b: { op: 'div', a: offset(1), b: sqrtScale(m) } } } },
          { op: 'store', buf: 5, value: { op: 'fr', a: { op: 'mul', a: channel(0, m, 3 + m), b: offset(1) } } },
        ],
      };
      assert.equal(periodicValues(ir, 0, size)?.reads.length, 2, 'both channel reads are candidates');
      const x = Float32Array.from({ length: size }, (_, j) => Math.fround(Math.sin(1.3 * j) * 4));
      const params = Float32Array.from({ length: 3 + 2 * m }, (_, j) => Math.fround(0.9 - 0.21 * j));
      const variance = Float32Array.from({ length: m }, (_, j) => Math.fround(0.05 + 0.4 * j));
      const buffers = new Map<number, Float32Array>([[0, params], [1, x], [3, variance], [4, new Float32Array(size)], [5, new Float32Array(size)]]);
      const [run] = runLoopsInWasm([{ ir, buffers, scalars: [] }]);
      const want4 = Float32Array.from({ length: size }, (_, i) => Math.fround(params[3 + (i % m)] + x[i] / Math.sqrt(variance[i % m] + 1e-5)));
      const want5 = Float32Array.from({ length: size }, (_, i) => Math.fround(params[3 + m + (i % m)] * x[i]));
      assert.deepEqual(Array.from(run.buffers.get(4) as Float32Array), Array.from(want4), `widened, size ${size}`);
      assert.deepEqual(Array.from(run.buffers.get(5) as Float32Array), Array.from(want5), `float32, size ${size}`);
    }
  });

  it('takes the largest periodic subexpression holding a slow instruction, and nothing that reads an element; the other reads of the period as candidates', () => {
    const found = periodicValues(batchNormIR(16, 64, sqrtScale), 0, 64);
    assert.equal(found?.period, 16);
    assert.deepEqual(found?.values, [sqrtScale(16)]);
    // β, μ and γ (the variance's read is inside the value taken).
    assert.deepEqual(found?.reads, [channel(0, 16, 23), channel(2, 16), channel(0, 16, 7)]);
    const elementwise: LoopIR = { ...batchNormIR(16, 64, sqrtScale), body: [{ op: 'store', buf: 4, value: { op: 'fr', a: { op: 'sqrt', a: offset(1) } } }] };
    assert.equal(periodicValues(elementwise, 0, 64), undefined);
  });

  it('declines what the vector loop cannot take: a period not a multiple of 4 or past MAX_PERIOD, an unaligned start, row reductions, values without a slow instruction', () => {
    assert.equal(periodicValues(batchNormIR(6, 60, sqrtScale), 0, 60), undefined);
    assert.equal(periodicValues(batchNormIR(2 * MAX_PERIOD, 256, sqrtScale), 0, 256), undefined);
    assert.equal(periodicValues(batchNormIR(16, 64, sqrtScale), 4, 64), undefined);
    assert.equal(periodicValues(batchNormIR(16, 8, sqrtScale), 0, 8), undefined);
    const withRows: LoopIR = { ...batchNormIR(16, 64, sqrtScale), rowReductions: [{ op: 'sum', buf: 5, at: { kind: 'modulo', m: 16 }, value: offset(1), rows: 16 }] };
    assert.equal(periodicValues(withRows, 0, 64), undefined);
    assert.equal(periodicValues(batchNormIR(16, 64, (m) => channel(3, m)), 0, 64), undefined);
  });
});
