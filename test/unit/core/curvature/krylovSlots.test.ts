import { strict as assert } from 'node:assert';
import { krylovSlots, type KrylovForm, type KrylovSlots } from '../../../../src/core/curvature/krylovSlots';
import { wasmSimdSupported } from '../../../../src/core/wasm/loopModule';

/**
 * Both forms of the Krylov loops (WebAssembly SIMD and plain JS, compiled from
 * one description) against the formulas computed here by hand in float64:
 * dot products to the round-off of adding in another order, updates and
 * scaling bit for bit (one float32 rounding per element and group of four).
 */

const SLOTS = 12;
const FORMS: KrylovForm[] = wasmSimdSupported() ? ['wasm', 'js'] : ['js'];

/** Slot s: a wave scaled by s + 1. */
function filled(n: number, form: KrylovForm): KrylovSlots {
  const slots = krylovSlots(n, SLOTS, form);
  for (let s = 0; s < SLOTS; s++) slots.view(s).set(Float32Array.from({ length: n }, (_, i) => Math.sin(1 + 7.3 * i + 1.7 * s) * (s + 1)));
  return slots;
}

/** Σ a·b in float64, index order, and Σ|a·b| (the scale of another order's round-off). */
function dotByHand(a: ArrayLike<number>, b: ArrayLike<number>): { sum: number; magnitude: number } {
  let [sum, magnitude] = [0, 0];
  for (let i = 0; i < a.length; i++) [sum, magnitude] = [sum + a[i] * b[i], magnitude + Math.abs(a[i] * b[i])];
  return { sum, magnitude };
}

/** r −= Σ cⱼ·aⱼ by hand: left to right within each group of four slots, then one at a time, rounded once per group. */
function subtractByHand(r: Float32Array, rows: Float32Array[], c: readonly number[]): Float32Array {
  const out = r.slice();
  for (let j = 0; j < c.length; j += c.length - j >= 4 ? 4 : 1) {
    const group = c.length - j >= 4 ? 4 : 1;
    for (let i = 0; i < out.length; i++) {
      let terms = c[j] * rows[j][i];
      for (let k = 1; k < group; k++) terms += c[j + k] * rows[j + k][i];
      out[i] = Math.fround(out[i] - terms);
    }
  }
  return out;
}

const sameBits = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.from(a).every((x, i) => Object.is(x, b[i]));

describe('Krylov slots (the Lanczos basis: storage and loops)', () => {
  it('uses WebAssembly SIMD where the engine has it', () => {
    assert.equal(krylovSlots(10, 3).form, wasmSimdSupported() ? 'wasm' : 'js');
  });

  for (const form of FORMS) {
    for (const n of [1, 6, 13, 1000]) {
      it(`${form}: dots, subtract and scale compute the formulas (n = ${n}, 1 to 9 slots at once)`, () => {
        const slots = filled(n, form);
        const r = SLOTS - 1;
        for (const count of [1, 2, 3, 4, 5, 8, 9]) {
          const rows = Array.from({ length: count }, (_, j) => slots.view(1 + j).slice());
          const dots = new Float64Array(count);
          slots.dots(1, r, dots);
          rows.forEach((row, j) => {
            const { sum, magnitude } = dotByHand(row, slots.view(r));
            assert.ok(Math.abs(dots[j] - sum) <= 1e-15 * n * magnitude, `dot ${j} of ${count}: ${dots[j]} vs ${sum}`);
          });
          const coefficients = Array.from({ length: count }, (_, j) => 0.013 * (j + 1) - 0.04);
          const expected = subtractByHand(slots.view(r), rows, coefficients);
          slots.subtract(1, coefficients, r);
          assert.ok(sameBits(slots.view(r), expected), `subtract of ${count}`);
        }
        const factor = 1 / 3.7;
        const expected = Array.from(slots.view(r), (v) => Math.fround(v * factor));
        slots.scale(r, factor);
        assert.ok(sameBits(slots.view(r), expected), 'scale');
      });
    }

    it(`${form}: the padding stays zero, so it adds nothing to later sums; slots do not overlap`, () => {
      const n = 1001;
      const slots = filled(n, form);
      const others = [2, 3].map((s) => slots.view(s).slice());
      slots.subtract(2, [0.25, -2], 0);
      slots.scale(0, 3);
      const { sum, magnitude } = dotByHand(slots.view(0), slots.view(0));
      assert.ok(Math.abs(slots.dot(0, 0) - sum) <= 1e-15 * n * magnitude, `${slots.dot(0, 0)} vs ${sum}`);
      [2, 3].forEach((s, k) => assert.ok(sameBits(slots.view(s), others[k]), `slot ${s} untouched`));
      assert.equal(slots.stride, 1004);
    });
  }
});
