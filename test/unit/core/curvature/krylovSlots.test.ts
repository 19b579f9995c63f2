import { strict as assert } from 'node:assert';
import { JsKrylovSlots, type KrylovSlots } from '../../../../src/core/curvature/krylovSlots';
import { krylovSlots, WasmKrylovSlots } from '../../../../src/core/curvature/krylovSlotsWasm';
import { wasmSimdSupported } from '../../../../src/core/wasm/loopModule';

const SLOTS = 12;

/** Both kinds of slots filled with the same float32 values (slot s: a wave scaled by s + 1). */
function filledPair(n: number): [KrylovSlots, KrylovSlots] {
  const pair: [KrylovSlots, KrylovSlots] = [krylovSlots(n, SLOTS), new JsKrylovSlots(n, SLOTS)];
  for (const slots of pair) {
    for (let s = 0; s < SLOTS; s++) slots.view(s).set(Float32Array.from({ length: n }, (_, i) => Math.sin(1 + 7.3 * i + 1.7 * s) * (s + 1)));
  }
  return pair;
}

const sameBits = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.from(a).every((x, i) => Object.is(x, b[i]));

describe('Krylov slots (lanczosArrays storage and loops)', () => {
  it('uses WebAssembly SIMD where the engine has it', () => {
    assert.equal(krylovSlots(10, 3) instanceof WasmKrylovSlots, wasmSimdSupported());
  });

  for (const n of [1, 6, 13, 1000]) {
    it(`WebAssembly and JS give the same bits: dots, subtract, scale (n = ${n}, 1 to 9 slots at once)`, () => {
      const [wasm, js] = filledPair(n);
      const r = SLOTS - 1;
      for (const count of [1, 2, 3, 4, 5, 8, 9]) {
        const [a, b] = [new Float64Array(count), new Float64Array(count)];
        wasm.dots(1, r, a);
        js.dots(1, r, b);
        assert.ok(sameBits(a, b), `dots of ${count}: ${a.join()} vs ${b.join()}`);
        const coefficients = Array.from({ length: count }, (_, j) => 0.013 * (j + 1) - 0.04);
        wasm.subtract(1, coefficients, r);
        js.subtract(1, coefficients, r);
        assert.ok(sameBits(wasm.view(r), js.view(r)), `subtract of ${count}`);
      }
      wasm.scale(r, 1 / 3.7);
      js.scale(r, 1 / 3.7);
      assert.ok(sameBits(wasm.view(r), js.view(r)), 'scale');
    });
  }

  it('computes what the formulas say: float64 sums, one rounding per element and group of four, padding left at zero', () => {
    const n = 1001;
    for (const slots of filledPair(n)) {
      const [x, a, b, c, d] = [0, 1, 2, 3, 4].map((s) => Array.from(slots.view(s)));
      const exact = x.reduce((acc, xi, i) => acc + xi * a[i], 0);
      assert.ok(Math.abs(slots.dot(0, 1) - exact) <= 1e-12 * Math.abs(exact) + 1e-12, `${slots.dot(0, 1)} vs ${exact}`);
      // Four slots at once: one float64 sum per element, rounded once.
      slots.subtract(1, [0.25, -2, 0.1, 3], 0);
      slots.view(0).forEach((value, i) => assert.equal(value, Math.fround(x[i] - (0.25 * a[i] + -2 * b[i] + 0.1 * c[i] + 3 * d[i]))));
      // The padding (n rounded up to 4) stays zero, so it adds nothing to later sums.
      const norm = Array.from(slots.view(0)).reduce((acc, v) => acc + v * v, 0);
      assert.ok(Math.abs(slots.dot(0, 0) - norm) <= 1e-12 * norm);
    }
  });
});
