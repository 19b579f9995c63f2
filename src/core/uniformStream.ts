/**
 * A seeded stream of uniforms in [0, 1) (SplitMix32 over a counter): the same seed gives the same
 * numbers on every machine. Objective files' init/data rng (src/runner/rng.ts) and the tuning
 * searches' trials both draw from it.
 */
export function uniformStream(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    z = (z ^ (z >>> 16)) >>> 0;
    return z / 4294967296;
  };
}
