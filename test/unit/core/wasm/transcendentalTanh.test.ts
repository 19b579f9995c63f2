import { strict as assert } from 'node:assert';
import { Code, Op, Simd, encodeModule } from '../../../../src/core/wasm/binary';
import { emitTanhF64x2, emitTanhPairF64x2 } from '../../../../src/core/wasm/transcendentalTanh';
import { mismatches as against } from '../../helpers/againstMath';
import { seededRandom } from '../../helpers/randomLoopIR';

/**
 * The WebAssembly SIMD tanh against Math.tanh, bit for bit (Object.is; any NaN for NaN):
 * millions of points over the whole range (uniform at several scales, float32 values as the
 * loops pass, random bit patterns: subnormals, huge values, NaNs) and the edge values of
 * fdlibm's branches.
 */

const CHUNK = 1 << 20;

/**
 * A module whose `tanh(n)` replaces the first n doubles of its memory by their tanh, two at a time
 * (emitTanhF64x2), or with `pair` four at a time (emitTanhPairF64x2, as the vector loops do).
 */
function tanhOverMemory(pair: boolean): { run: (xs: Float64Array) => Float64Array } {
  const code = new Code(['i32'], []);
  const at = code.local('i32');
  const halves = [code.local('v128'), code.local('v128')];
  code.op(Op.block, 0x40, Op.loop, 0x40);
  code.get(at).get(0).i32(3).op(Op.i32Shl).op(Op.i32GeS, Op.brIf, 1);
  if (pair) {
    halves.forEach((local, k) => code.get(at).simdMemory(Simd.load, 16 * k).set(local));
    emitTanhPairF64x2(code, halves[0], halves[1]).forEach((result, k) => code.get(at).get(result).simdMemory(Simd.store, 16 * k));
  } else {
    code.get(at).get(at).simdMemory(Simd.load, 0);
    emitTanhF64x2(code).simdMemory(Simd.store, 0);
  }
  code.get(at).i32(pair ? 32 : 16).op(Op.i32Add).set(at);
  code.op(Op.br, 0, Op.end, Op.end);
  const pages = (8 * CHUNK) / 65536;
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(encodeModule([{ name: 'tanh', code }], pages)), { env: { memory } });
  const tanh = instance.exports.tanh as (n: number) => void;
  const view = new Float64Array(memory.buffer, 0, CHUNK);
  return {
    run: (xs) => {
      assert.ok(xs.length <= CHUNK && xs.length % 4 === 0);
      view.set(xs);
      tanh(xs.length);
      return view.slice(0, xs.length);
    },
  };
}

describe('WebAssembly SIMD tanh (transcendentalTanh) has Math.tanh\'s bits', () => {
  const mismatches = (form: { run: (xs: Float64Array) => Float64Array }, xs: Float64Array) => against('tanh', form.run, xs);
  const wasm = tanhOverMemory(false);
  const pair = tanhOverMemory(true);

  it('on the edge values of every branch', () => {
    const edges = [0, -0, Infinity, -Infinity, NaN, -NaN, Number.MIN_VALUE, -Number.MIN_VALUE, 2.2250738585072014e-308, Number.MAX_VALUE, -Number.MAX_VALUE,
      2 ** -28, -(2 ** -28), 2 ** -28 * (1 - 2 ** -53), 2 ** -55, 22, -22, 22 * (1 - 2 ** -53), 1, -1, 1 - 2 ** -53, Math.LN2 / 4, Math.LN2 / 4 * (1 + 2 ** -40),
      0.17328679513998632, 0.5198603854199589, 0.52, 19.4, 19.6, 19.7, 10, 6.9, 7, 1e-10, -1e-10, 0.5, -0.5, 3, 1e300, -1e-300];
    // Each neighbour (1 ulp up and down) of each edge, too.
    const bits = new Float64Array(1);
    const word = new BigInt64Array(bits.buffer);
    const near: number[] = [];
    for (const x of edges) {
      for (const d of [-1n, 0n, 1n]) {
        bits[0] = x;
        word[0] += d;
        near.push(bits[0]);
      }
    }
    while (near.length % 4) near.push(0);
    for (const form of [wasm, pair]) {
      const { count, first } = mismatches(form, Float64Array.from(near));
      assert.equal(count, 0, first.join('\n'));
    }
  });

  it('through the pair\'s k = 0 form: groups of four all below 0.1733 (and one lane at or past the bound), the bound\'s neighbours, tiny values and zeros', () => {
    const next = seededRandom(2022);
    const bound = 0.17328679513998632;
    const xs = new Float64Array(1 << 18);
    for (let i = 0; i < xs.length; i++) {
      const group = i >> 2;
      const lane = i & 3;
      let x = (next() - 0.5) * 2 * bound * (group % 3 === 0 ? 1 : next() ** 8);
      if (group % 7 === 0) x = Math.fround(x);
      if (group % 11 === 0 && lane === group % 4) x = [bound, -bound, 0.17328679513998635, 0.2, 0.1733, 2 ** -30, 0, -0][group % 8];
      xs[i] = x;
    }
    const { count, first } = mismatches(pair, xs);
    assert.equal(count, 0, first.join('\n'));
  });

  it('through the pair\'s below-1 form: groups of four all below 1 (k from 0 to -3, one lane at or past 1 in some), the k edges\' neighbours', () => {
    const next = seededRandom(1999);
    const edges = [0.17328679513998632, 0.5198603854199589, 0.52, 0.8664339756999316, 1 - 2 ** -53, 1, 1 + 2 ** -52, 0.1733, 0.3466, 0.866, 0.867];
    const xs = new Float64Array(1 << 18);
    for (let i = 0; i < xs.length; i++) {
      const group = i >> 2;
      const lane = i & 3;
      let x = (next() - 0.5) * 2 * (group % 5 === 0 ? next() : 1);
      if (group % 3 === 0) x = Math.fround(x);
      if (group % 13 === 0 && lane === group % 4) {
        const edge = edges[group % edges.length];
        x = (group % 2 ? -1 : 1) * edge * (1 + (((group >> 1) % 3) - 1) * 2 ** -52);
      }
      xs[i] = x;
    }
    const { count, first } = mismatches(pair, xs);
    assert.equal(count, 0, first.join('\n'));
  });

  it('on 4 million points (half of them through the pair): uniform at several scales, float32 values and random bit patterns', () => {
    const next = seededRandom(22);
    const word = new Uint32Array(2);
    const bits = new Float64Array(word.buffer);
    let total = 0;
    for (let chunk = 0; chunk < 4; chunk++) {
      const xs = new Float64Array(CHUNK);
      for (let i = 0; i < CHUNK; i++) {
        switch (i % 4) {
          case 0: xs[i] = (next() - 0.5) * 60; break;
          case 1: xs[i] = (next() - 0.5) * 2 ** (next() * 40 - 35); break;
          case 2: xs[i] = Math.fround((next() - 0.5) * 8); break;
          default:
            word[0] = next() * 2 ** 32;
            word[1] = next() * 2 ** 32;
            xs[i] = bits[0];
        }
      }
      const { count, first } = mismatches(chunk % 2 ? pair : wasm, xs);
      assert.equal(count, 0, first.join('\n'));
      total += xs.length;
    }
    assert.equal(total, 4 * CHUNK);
  });
});
