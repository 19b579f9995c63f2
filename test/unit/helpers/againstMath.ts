/**
 * What the tests of the WebAssembly transcendentals (transcendentalTanh, transcendentalExp) share: a seeded
 * generator, Math's bits as the reference (any NaN for NaN), and a count of the points that differ.
 */

/** A seeded generator (mulberry32) so a failure repeats. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const same = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

/** How many of `run(xs)` differ from Math[fn]'s bits, and the first few. */
export function mismatches(fn: 'exp' | 'tanh', run: (xs: Float64Array) => Float64Array, xs: Float64Array): { count: number; first: string[] } {
  const out = run(xs);
  let count = 0;
  const first: string[] = [];
  for (let i = 0; i < xs.length; i++) {
    const expected = Math[fn](xs[i]);
    if (!same(out[i], expected)) {
      count++;
      if (first.length < 5) first.push(`${fn}(${xs[i]}): wasm ${out[i]}, Math.${fn} ${expected}`);
    }
  }
  return { count, first };
}
