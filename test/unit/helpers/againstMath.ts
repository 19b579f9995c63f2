/**
 * What the tests of the WebAssembly transcendentals (transcendentalTanh, transcendentalExp) share (their seeded generator is
 * randomLoopIR.seededRandom): Math's bits as the reference (any NaN for NaN), and a count of the points that differ.
 */
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
