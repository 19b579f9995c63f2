/**
 * Sobol low-discrepancy points (Bratley & Fox's construction with Joe & Kuo's
 * direction numbers, new-joe-kuo-6.21201, the table torch.quasirandom.SobolEngine
 * uses), 32-bit, point i computed directly from its Gray code. A seeded random
 * digital shift (each coordinate XORed with a fixed random word) makes different
 * seeds give different, equally well spread point sets.
 */
import { uniformStream } from '../uniformStream';

/** Joe & Kuo's parameters for dimensions 2, 3, …: degree s, coefficients a, initial m_1..m_s. */
const JOE_KUO: readonly { s: number; a: number; m: readonly number[] }[] = [
  { s: 1, a: 0, m: [1] },
  { s: 2, a: 1, m: [1, 3] },
  { s: 3, a: 1, m: [1, 3, 1] },
  { s: 3, a: 2, m: [1, 1, 1] },
  { s: 4, a: 1, m: [1, 1, 3, 3] },
  { s: 4, a: 4, m: [1, 3, 5, 13] },
  { s: 5, a: 2, m: [1, 1, 5, 5, 17] },
  { s: 5, a: 4, m: [1, 1, 5, 5, 5] },
  { s: 5, a: 7, m: [1, 1, 7, 11, 19] },
  { s: 5, a: 11, m: [1, 1, 5, 1, 1] },
  { s: 5, a: 13, m: [1, 1, 1, 3, 11] },
  { s: 5, a: 14, m: [1, 3, 5, 5, 31] },
];

const BITS = 32;

/** Most dimensions a Sobol search takes (the table above plus the first dimension). */
export const SOBOL_MAX_DIMENSIONS = JOE_KUO.length + 1;

/** The 32 direction numbers of dimension d (0-based). */
function directions(d: number): Uint32Array {
  const v = new Uint32Array(BITS);
  if (d === 0) {
    for (let k = 0; k < BITS; k++) v[k] = 2 ** (BITS - 1 - k);
    return v;
  }
  const { s, a, m } = JOE_KUO[d - 1];
  for (let k = 0; k < s; k++) v[k] = (m[k] * 2 ** (BITS - 1 - k)) >>> 0;
  for (let k = s; k < BITS; k++) {
    let x = (v[k - s] ^ (v[k - s] >>> s)) >>> 0;
    for (let i = 1; i < s; i++) if ((a >>> (s - 1 - i)) & 1) x = (x ^ v[k - i]) >>> 0;
    v[k] = x;
  }
  return v;
}

export class Sobol {
  private readonly dirs: Uint32Array[];
  private readonly shift: Uint32Array;

  /** `seed` undefined: the plain sequence (point 0 is the origin); else digitally shifted by the seed. */
  constructor(readonly dimensions: number, seed?: number) {
    if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > SOBOL_MAX_DIMENSIONS) {
      throw new RangeError(`a Sobol search takes 1 to ${SOBOL_MAX_DIMENSIONS} dimensions, got ${dimensions}`);
    }
    this.dirs = Array.from({ length: dimensions }, (_, d) => directions(d));
    this.shift = new Uint32Array(dimensions);
    if (seed !== undefined) {
      const words = uniformStream(seed);
      for (let d = 0; d < dimensions; d++) this.shift[d] = Math.floor(words() * 2 ** BITS) >>> 0;
    }
  }

  /** Point `index` (0-based), each coordinate in [0, 1). */
  point(index: number): number[] {
    const gray = index ^ (index >>> 1);
    return this.dirs.map((v, d) => {
      let x = this.shift[d];
      for (let k = 0; k < BITS; k++) if ((gray >>> k) & 1) x = (x ^ v[k]) >>> 0;
      return x / 2 ** BITS;
    });
  }
}
