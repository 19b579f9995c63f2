import { uniformStream } from '../core/uniformStream';

/**
 * A small seeded generator (core's uniformStream: SplitMix32 over a counter): the same seed
 * gives the same init, batches and noise on every machine. Passed to
 * `init(rng)` and `data(rng)` functions in objective files.
 */
export interface Rng {
  readonly seed: number;
  /** Uniform in [0, 1). */
  next(): number;
  uniform(lo?: number, hi?: number): number;
  /** Gaussian by Box–Muller. */
  normal(mean?: number, std?: number): number;
  /** Integer in [0, n). */
  int(n: number): number;
  /** Nested arrays of the given shape filled with N(mean, std²) samples. */
  normals(shape: readonly number[], std?: number, mean?: number): NestedNumbers;
}

export type NestedNumbers = number | NestedNumbers[];

export function createRng(seed: number): Rng {
  const next = uniformStream(seed);
  const normal = (mean = 0, std = 1): number => {
    // 1 − u avoids log(0).
    const u = 1 - next();
    const v = next();
    return mean + std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  const fill = (shape: readonly number[], std: number, mean: number): NestedNumbers =>
    shape.length === 0 ? normal(mean, std) : Array.from({ length: shape[0] }, () => fill(shape.slice(1), std, mean));
  return {
    seed,
    next,
    uniform: (lo = 0, hi = 1) => lo + (hi - lo) * next(),
    normal,
    int: (n) => Math.floor(next() * n),
    normals: (shape, std = 1, mean = 0) => fill(shape, std, mean),
  };
}

/** Fisher–Yates permutation of 0..n-1. */
export function permutation(n: number, rng: Rng): number[] {
  const out = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** A seed for the k-th stream of a run seeded with `seed` (epochs, inits): unrelated for distinct k. */
export function mixSeed(seed: number, k: number): number {
  return createRng((seed ^ Math.imul(k + 1, 0x27d4eb2d)) >>> 0).int(4294967296);
}
