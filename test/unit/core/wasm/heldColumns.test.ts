import { strict as assert } from 'node:assert';
import type { Expr, LoopIR, ReduceOp, RowReduction } from '../../../../src/core/wasm/loopIR';
import { runLoopsInWasm } from '../../helpers/wasmLoopRunner';

/**
 * Column reductions (a bias gradient's sums over the batch, batch norm's per-channel sums) kept in v128 locals
 * through a vector loop unrolled by their width (emitRowReductions.ts hold): each column still takes its values
 * in order of i, rounded to float32 after each, so every column has the JS loop's bits, at widths 4 to 32, for
 * float32 and float64 values, sums, products and maxima, sizes short of, at and past whole turns, and with more
 * columns than locals to hold them (the rest stay in memory).
 */

const x: Expr = { op: 'read', buf: 0, read: { kind: 'offset', k: 0 } };
const y: Expr = { op: 'read', buf: 1, read: { kind: 'offset', k: 0 } };
/** x·y rounded (a float32 value) and x·y + 0.1 in float64 (its sum is rounded to float32 at each update instead). */
const VALUES: Record<string, Expr> = {
  float32: { op: 'fr', a: { op: 'mul', a: x, b: y } },
  float64: { op: 'add', a: { op: 'mul', a: x, b: y }, b: { op: 'lit', value: 0.1 } },
};

function columnsIR(size: number, reductions: readonly { m: number; op: ReduceOp; value: Expr }[]): LoopIR {
  const rowReductions: RowReduction[] = reductions.map((r, k) => ({ op: r.op, buf: 10 + k, value: r.value, at: { kind: 'modulo', m: r.m }, rows: r.m }));
  return { size, scalars: [], accumulators: [], body: [{ op: 'store', buf: 2, value: { op: 'fr', a: { op: 'mul', a: x, b: y } } }], rowReductions };
}

function inputs(size: number, seed: number): [Float32Array, Float32Array] {
  const f = (k: number) => Float32Array.from({ length: size }, (_, i) => Math.fround(Math.sin(seed + k * 1.3 + 0.37 * i) * (1 + (i % 7))));
  return [f(0), f(1)];
}

type Reduction = { readonly m: number; readonly op: ReduceOp; readonly value: Expr };

/** Which of the test's values `value` is: x·y rounded, x·y + 0.1 in float64, x, or the product's fr(x·0.01 + 1). */
function kindOf(value: Expr): (x: number, y: number) => number {
  if (value === VALUES.float32) return (a, b) => Math.fround(a * b);
  if (value === VALUES.float64) return (a, b) => a * b + 0.1;
  if (value === x) return (a) => a;
  return (a) => Math.fround(a * 0.01 + 1);
}

/** The JS loop's columns (jsLoop.ts): buf[i % m] = fr(buf[i % m] ⊕ value(i)) in order of i, from the op's initial value. */
function jsColumns(r: Reduction, value: (x: number, y: number) => number, a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(r.m).fill(r.op === 'sum' ? 0 : r.op === 'prod' ? 1 : -Infinity);
  const combine = { sum: (p: number, q: number) => p + q, prod: (p: number, q: number) => p * q, max: Math.max, min: Math.min }[r.op];
  for (let i = 0; i < a.length; i++) out[i % r.m] = Math.fround(combine(out[i % r.m], value(a[i], b[i])));
  return out;
}

describe('column reductions held in locals through the vector loop: the JS loop\'s bits', () => {
  for (const m of [4, 16, 32]) {
    for (const [kind, value] of Object.entries(VALUES)) {
      it(`${m} columns, a ${kind} value: sum, product and max, at sizes short of, at and past whole turns`, () => {
        const sizes = [m - 4, m, m + 4, 3 * m + 1, 37 * m + 5].filter((s) => s > 0);
        // Two sums of width m (at m = 32 only one fits the locals), a product and a max of the same width.
        const reductions: Reduction[] = [{ m, op: 'sum' as const, value }, { m, op: 'sum' as const, value: x }, { m, op: 'prod' as const, value: { op: 'fr' as const, a: { op: 'add' as const, a: { op: 'mul' as const, a: x, b: { op: 'lit' as const, value: 0.01 } }, b: { op: 'lit' as const, value: 1 } } } }, { m, op: 'max' as const, value }];
        const cases = sizes.map((size, k) => {
          const [a, b] = inputs(size, k + m);
          const buffers = new Map<number, Float32Array>([[0, a], [1, b], [2, new Float32Array(size)], ...reductions.map((_, r): [number, Float32Array] => [10 + r, new Float32Array(m)])]);
          return { ir: columnsIR(size, reductions), buffers };
        });
        const runs = runLoopsInWasm(cases.map((c) => ({ ir: c.ir, buffers: c.buffers, scalars: [] })));
        cases.forEach((c, k) => {
          const [a, b] = [c.buffers.get(0) as Float32Array, c.buffers.get(1) as Float32Array];
          const js = new Map(reductions.map((r, n) => [10 + n, jsColumns(r, kindOf(r.value), a, b)]));
          js.set(2, Float32Array.from(a, (v, i) => Math.fround(v * b[i])));
          for (const id of [2, ...reductions.map((_, r) => 10 + r)]) {
            const got = runs[k].buffers.get(id) as Float32Array;
            const want = js.get(id) as Float32Array;
            const at = want.findIndex((v, i) => !Object.is(v, got[i]));
            assert.equal(at, -1, `size ${c.ir.size}, buffer ${id}, element ${at}: wasm ${got[at]}, JS ${want[at]}`);
          }
        });
      });
    }
  }
});
