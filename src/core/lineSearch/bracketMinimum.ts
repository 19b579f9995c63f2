/** Three steps a < b < c with φ(b) < φ(a) and φ(b) ≤ φ(c): a minimiser of a unimodal φ lies in (a, c). */
export interface Bracket {
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly fa: number;
  readonly fb: number;
  readonly fc: number;
}

const GOLDEN = 1.618033988749895;

/**
 * Brackets a minimiser of φ on α ≥ 0 starting from α = 0 (value f0, a descent
 * direction) and a first trial α = t: shrinks towards 0 by golden sections while
 * φ(t) ≥ φ(0), otherwise expands by the golden ratio until φ turns upward.
 * Returns undefined when `maxEvals` runs out first or φ never drops below φ(0)
 * (the caller keeps the best trial it saw).
 */
export function bracketMinimum(phi: (alpha: number) => number, f0: number, t: number, maxEvals: number): Bracket | undefined {
  let evals = 0;
  const eval1 = (alpha: number): number => {
    evals += 1;
    return phi(alpha);
  };
  if (maxEvals < 1) return undefined;
  let b = t;
  let fb = eval1(b);
  if (!(fb < f0)) {
    // The minimiser is in (0, b): shrink until an interior point beats φ(0).
    let c = b;
    let fc = fb;
    while (evals < maxEvals) {
      b = c * (1 - 1 / GOLDEN);
      fb = eval1(b);
      if (fb < f0) return { a: 0, b, c, fa: f0, fb, fc: Number.isNaN(fc) ? Infinity : fc };
      c = b;
      fc = fb;
    }
    return undefined;
  }
  let a = 0;
  let fa = f0;
  while (evals < maxEvals) {
    const c = b + GOLDEN * (b - a);
    if (!Number.isFinite(c)) return undefined;
    const fc = eval1(c);
    if (!(fc < fb)) return { a, b, c, fa, fb, fc: Number.isNaN(fc) ? Infinity : fc };
    [a, fa, b, fb] = [b, fb, c, fc];
  }
  return undefined;
}
