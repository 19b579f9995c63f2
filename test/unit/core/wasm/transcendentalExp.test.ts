import { strict as assert } from 'node:assert';
import { Code, Op, Simd, encodeModule } from '../../../../src/core/wasm/binary';
import { emitExpF64x2 } from '../../../../src/core/wasm/transcendentalExp';
import { mismatches as against } from '../../helpers/againstMath';
import { seededRandom } from '../../helpers/randomLoopIR';

/**
 * The WebAssembly SIMD exp against Math.exp, bit for bit (Object.is; any NaN for NaN): millions of
 * points over the whole range (uniform at several scales, float32 values as the loops pass, random
 * bit patterns: subnormals, huge values, NaNs) and the edge values of fdlibm's branches: the
 * reduction's bounds, k·ln2/2 (where k rounds), the overflow and underflow thresholds, subnormal
 * results, ±0, ±Infinity, NaN, and 1 (V8's exp(1) = E).
 */

const CHUNK = 1 << 20;

/** A module whose `exp(n)` replaces the first n doubles of its memory by their exp, two at a time. */
function expOverMemory(): (xs: Float64Array) => Float64Array {
  const code = new Code(['i32'], []);
  const at = code.local('i32');
  code.op(Op.block, 0x40, Op.loop, 0x40);
  code.get(at).get(0).i32(3).op(Op.i32Shl).op(Op.i32GeS, Op.brIf, 1);
  code.get(at).get(at).simdMemory(Simd.load, 0);
  emitExpF64x2(code).simdMemory(Simd.store, 0);
  code.get(at).i32(16).op(Op.i32Add).set(at);
  code.op(Op.br, 0, Op.end, Op.end);
  const pages = (8 * CHUNK) / 65536;
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(encodeModule([{ name: 'exp', code }], pages)), { env: { memory } });
  const exp = instance.exports.exp as (n: number) => void;
  const view = new Float64Array(memory.buffer, 0, CHUNK);
  return (xs) => {
    assert.ok(xs.length <= CHUNK && xs.length % 2 === 0);
    view.set(xs);
    exp(xs.length);
    return view.slice(0, xs.length);
  };
}

/** Each of xs and its neighbours up to `ulps` ulps away, padded to an even count. */
function withNeighbours(xs: readonly number[], ulps: number): Float64Array {
  const bits = new Float64Array(1);
  const word = new BigInt64Array(bits.buffer);
  const near: number[] = [];
  for (const x of xs) {
    for (let d = -ulps; d <= ulps; d++) {
      bits[0] = x;
      word[0] += BigInt(d);
      near.push(bits[0]);
    }
  }
  if (near.length % 2) near.push(0);
  return Float64Array.from(near);
}

describe('WebAssembly SIMD exp (transcendentalExp) has Math.exp\'s bits', () => {
  const run = expOverMemory();
  const mismatches = (r: typeof run, xs: Float64Array) => against('exp', r, xs);

  it('on the edge values of every branch and their neighbours', () => {
    const words = (high: number, low = 0) => new Float64Array(new Uint32Array([low, high]).buffer)[0];
    const edges = [0, -0, Infinity, -Infinity, NaN, -NaN, Number.MIN_VALUE, -Number.MIN_VALUE, 2.2250738585072014e-308, Number.MAX_VALUE, -Number.MAX_VALUE,
      1, -1, 2 ** -28, -(2 ** -28), words(0x3e300000), words(0x3e2fffff, 0xffffffff), Math.LN2 / 2, words(0x3fd62e42, 0xffffffff), words(0x3fd62e43),
      1.5 * Math.LN2, words(0x3ff0a2b2), words(0x3ff0a2b1, 0xffffffff), words(0x40862e42), 7.09782712893383973096e+02, -7.45133219101941108420e+02,
      709.78, 709.79, -745.13, -745.14, -708.39, -708.4, -707.7, -744.44, -740, -720, 1e-300, -1e-300, 0.5, 3, 88.72, -87.33, 1e300, -1e300];
    const { count, first } = mismatches(run, withNeighbours([...edges, ...edges.map((x) => -x)], 4));
    assert.equal(count, 0, first.join('\n'));
  });

  it('near every (k + ½)·ln 2, where k rounds, from underflow to overflow (±200 ulps)', () => {
    const centres: number[] = [];
    for (let k = -1076; k <= 1024; k++) centres.push((k + 0.5) * Math.LN2);
    const { count, first } = mismatches(run, withNeighbours(centres, 200));
    assert.equal(count, 0, first.join('\n'));
  });

  it('on subnormal results and the scaling edges (k near -1021, -1075 and 1024)', () => {
    const next = seededRandom(745);
    const xs = new Float64Array(1 << 18);
    for (let i = 0; i < xs.length; i++) {
      xs[i] = i % 2 ? -708.4 - next() * 36.8 : 707.7 + next() * 2.1;
      if (i % 3 === 0) xs[i] = Math.fround(xs[i]);
    }
    const { count, first } = mismatches(run, xs);
    assert.equal(count, 0, first.join('\n'));
  });

  it('on 6 million points: uniform at several scales, float32 values and random bit patterns', () => {
    const next = seededRandom(2718);
    const word = new Uint32Array(2);
    const bits = new Float64Array(word.buffer);
    for (let chunk = 0; chunk < 6; chunk++) {
      const xs = new Float64Array(CHUNK);
      for (let i = 0; i < CHUNK; i++) {
        switch (i % 5) {
          case 0: xs[i] = (next() - 0.5) * 1500; break;
          case 1: xs[i] = (next() - 0.5) * 2 ** (next() * 40 - 35); break;
          case 2: xs[i] = Math.fround((next() - 0.5) * 200); break;
          case 3: xs[i] = (next() - 0.5) * 4; break;
          default:
            word[0] = next() * 2 ** 32;
            word[1] = next() * 2 ** 32;
            xs[i] = bits[0];
        }
      }
      const { count, first } = mismatches(run, xs);
      assert.equal(count, 0, first.join('\n'));
    }
  });
});
