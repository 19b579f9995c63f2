import { strict as assert } from 'node:assert';
import { MAX_SEGMENTS, windowSegments } from '../../../../src/core/wasm/laneKinds';
import { bin, fr, lit, type Expr, type LoopIR, type Stmt } from '../../../../src/core/wasm/loopIR';
import { interpretLoop } from '../../helpers/loopInterpreter';
import { runLoopsInWasm } from '../../helpers/wasmLoopRunner';

/**
 * A concatenation as a gradient's is fused (each piece a window of the output, the others padded with 0, summed
 * with the pieces before it, stored, its squares summed): no range of i has every window in range, so the
 * emitter runs a vector loop per range between window edges (laneKinds.ts windowSegments). Stores and the sum
 * must be the interpreter's bit for bit: the sum adds lane by lane in index order there, as the scalar loop does.
 */
function concatenation(widths: readonly number[], pad: number): { ir: LoopIR; buffers: Map<number, Float32Array> } {
  const size = widths.reduce((a, b) => a + b, 0);
  const body: Stmt[] = [];
  let at = 0;
  let sum: Expr = lit(0);
  widths.forEach((width, k) => {
    const piece: Expr = { op: 'read', buf: k, read: { kind: 'window', lo: at, hi: at + width, k: -at, pad } };
    sum = fr(bin('add', sum, piece));
    at += width;
  });
  body.push({ op: 'let', id: 0, value: sum });
  body.push({ op: 'store', buf: widths.length, value: { op: 'local', id: 0 } });
  body.push({ op: 'reduce', acc: 0, value: bin('mul', { op: 'local', id: 0 }, { op: 'local', id: 0 }) });
  body.push({ op: 'reduce', acc: 1, value: { op: 'local', id: 0 } });
  const ir: LoopIR = { size, scalars: [], body, accumulators: [{ op: 'sum', into: 'return' }, { op: 'max', into: { buf: widths.length + 1, at: 0 } }] };
  const buffers = new Map<number, Float32Array>(widths.map((width, k) => [k, Float32Array.from({ length: width }, (_, j) => Math.fround(Math.sin(7 * k + 1.3 * j) * 3 ** (j % 5)))]));
  buffers.set(widths.length, new Float32Array(size).fill(12345));
  buffers.set(widths.length + 1, new Float32Array(1));
  return { ir, buffers };
}

describe('WebAssembly loops over side-by-side windows (a concatenation): a vector loop per range, the scalar loop\'s bits', () => {
  for (const [widths, pad] of [
    [[1024, 64, 4096, 64, 64, 1], 0], [[3, 17, 9, 30, 5, 1], 0], [[13, 7], 0.5], [[8, 8, 8], -0], [[5, 6, 7, 9, 11, 4099], 2],
    [Array.from({ length: 40 }, (_, k) => 8 + (k % 7) * 3), 0],
  ] as [number[], number][]) {
    it(`widths ${widths.length > 8 ? `${widths.length} pieces of 8-26` : widths.join(', ')}, pad ${pad}: stores, a sum and a max equal to the interpreter's`, () => {
      const { ir, buffers } = concatenation(widths, pad);
      const segments = windowSegments(ir);
      assert.ok(segments.length > 0 && segments.length <= MAX_SEGMENTS, `${segments.length} vector ranges between the windows`);
      const [run] = runLoopsInWasm([{ ir, buffers, scalars: [] }]);
      const expected = new Map([...buffers].map(([id, b]) => [id, b.slice()]));
      const reference = interpretLoop(ir, expected, []);
      for (const [id, values] of expected) {
        const actual = run.buffers.get(id) as Float32Array;
        const at = values.findIndex((v, i) => !Object.is(v, actual[i]));
        assert.equal(at, -1, `buffer ${id}[${at}]: wasm ${actual[at]}, interpreter ${values[at]}`);
      }
      assert.ok(Object.is(run.returned, reference.returned), `sum of squares: wasm ${run.returned}, interpreter ${reference.returned}`);
    });
  }
});
