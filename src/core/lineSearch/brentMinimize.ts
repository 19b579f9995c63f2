import type { Bracket } from './bracketMinimum';

export interface BrentResult {
  /** Best point found and its value. */
  readonly x: number;
  readonly f: number;
  /** φ evaluations used (the bracket's are not counted). */
  readonly evals: number;
  /** True when the interval shrank to the tolerance within the budget. */
  readonly converged: boolean;
}

const GOLDEN_SECTION = 0.3819660112501051;

/**
 * Brent's minimisation without derivatives (Brent 1973, ch. 5): parabolic
 * interpolation through the three best points, falling back to golden-section
 * steps whenever the parabola is untrustworthy; so it never does worse than
 * golden-section search. Stops when the interval around the best point is
 * within `tol`·|x| (plus a tiny absolute floor proportional to the bracket, so
 * very small steps still converge). NaN values count as +∞.
 */
export function brentMinimize(phi: (x: number) => number, bracket: Bracket, tol: number, maxEvals: number): BrentResult {
  let a = Math.min(bracket.a, bracket.c);
  let b = Math.max(bracket.a, bracket.c);
  const absFloor = 1e-10 * (b - a);
  let x = bracket.b;
  let w = x;
  let v = x;
  let fx = bracket.fb;
  let fw = fx;
  let fv = fx;
  let d = 0;
  let e = 0;
  let evals = 0;
  while (evals < maxEvals) {
    const xm = 0.5 * (a + b);
    const tol1 = tol * Math.abs(x) + absFloor;
    const tol2 = 2 * tol1;
    if (Math.abs(x - xm) <= tol2 - 0.5 * (b - a)) return { x, f: fx, evals, converged: true };
    let golden = true;
    if (Math.abs(e) > tol1) {
      // Parabola through (x, fx), (w, fw), (v, fv): its vertex is x + p/q.
      const r = (x - w) * (fx - fv);
      let q = (x - v) * (fx - fw);
      let p = (x - v) * q - (x - w) * r;
      q = 2 * (q - r);
      if (q > 0) p = -p;
      q = Math.abs(q);
      const previousE = e;
      e = d;
      // Accept it only inside (a, b) and when it moves less than half the step before last.
      if (Math.abs(p) < Math.abs(0.5 * q * previousE) && p > q * (a - x) && p < q * (b - x)) {
        d = p / q;
        const u = x + d;
        if (u - a < tol2 || b - u < tol2) d = xm >= x ? tol1 : -tol1;
        golden = false;
      }
    }
    if (golden) {
      e = x >= xm ? a - x : b - x;
      d = GOLDEN_SECTION * e;
    }
    const u = Math.abs(d) >= tol1 ? x + d : x + (d >= 0 ? tol1 : -tol1);
    const raw = phi(u);
    evals += 1;
    const fu = Number.isNaN(raw) ? Infinity : raw;
    if (fu <= fx) {
      if (u >= x) a = x;
      else b = x;
      [v, fv, w, fw, x, fx] = [w, fw, x, fx, u, fu];
    } else {
      if (u < x) a = u;
      else b = u;
      if (fu <= fw || w === x) {
        [v, fv, w, fw] = [w, fw, u, fu];
      } else if (fu <= fv || v === x || v === w) {
        [v, fv] = [u, fu];
      }
    }
  }
  return { x, f: fx, evals, converged: false };
}
