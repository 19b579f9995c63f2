import type { ArrayOperator } from './hvp';
import { LanczosTridiagonal, type LanczosOptions, type LanczosResult } from './lanczosTridiagonal';
import { randomUnitVector } from './randomUnitVector';
import { dot, dotsWithRows, scale, subtractRows } from './rowKernels';

/**
 * A full Gram-Schmidt pass that shrinks r below this share of its norm
 * cancelled enough digits to leave r visibly non-orthogonal: pass again
 * (Daniel-Gragg-Kaufman-Stewart's criterion, η = 1/√2).
 */
const CANCELLATION = Math.SQRT1_2;

/**
 * lanczos (same options, start vector, stopping rules and measured ends) for an
 * operator on Float32Arrays, such as a compiled Hessian-vector product: the
 * basis is kept as Float32Array rows and everything runs synchronously on the
 * host, with no tensor per product and no await per iteration.
 *
 * The re-orthogonalisation differs from lanczos's two full classical
 * Gram-Schmidt passes: the three-term recurrence first removes the two large
 * components (β_{k−1}·v_{k−1} and α·v_k), then one full pass removes what
 * rounding left along every earlier vector, and a second only when that pass
 * cancelled (DGKS). Equally orthogonal, at half the cost: the full passes are
 * what takes the time (30 iterations at n = 1e5: ~140 ms for two passes a
 * step against a 1.5 ms product).
 */
export function lanczosArrays(apply: ArrayOperator, n: number, options: LanczosOptions = {}): LanczosResult {
  const tridiagonal = new LanczosTridiagonal(n, options);
  const rows: Float32Array[] = [startVector(n, tridiagonal.seed)];
  const coefficients = new Float64Array(tridiagonal.cap);
  for (;;) {
    const k = rows.length;
    const v = rows[k - 1];
    // r becomes the next row in place: H·v, orthogonalised, then scaled to a unit vector.
    const r = new Float32Array(n);
    apply(v, r);
    if (k > 1) subtractRows([rows[k - 2]], [tridiagonal.lastBeta], r);
    let alpha = dot(v, r);
    subtractRows([v], [alpha], r);
    let norm = Math.sqrt(dot(r, r));
    for (let pass = 0; pass < 2; pass++) {
      const before = norm;
      const c = coefficients.subarray(0, k);
      dotsWithRows(rows, r, c);
      subtractRows(rows, c, r);
      alpha += c[k - 1];
      norm = Math.sqrt(dot(r, r));
      if (norm >= CANCELLATION * before) break;
    }
    if (tridiagonal.step(alpha, norm)) break;
    scale(r, 1 / norm);
    rows.push(r);
  }
  return refineEnds(apply, rows, tridiagonal);
}

/** randomUnitVector's values (TensorFlow.js's seeded generator), so both versions start alike. */
function startVector(n: number, seed: number): Float32Array {
  const tensor = randomUnitVector(n, seed);
  const values = Float32Array.from(tensor.dataSync());
  tensor.dispose();
  return values;
}

/** Each end's Ritz vector u = V·s: its Rayleigh quotient θ = u·H·u and the measured ‖H·u − θ·u‖. */
function refineEnds(apply: ArrayOperator, rows: readonly Float32Array[], tridiagonal: LanczosTridiagonal): LanczosResult {
  const n = rows[0].length;
  const hu = new Float32Array(n);
  const [[thetaMin, residualMin], [thetaMax, residualMax]] = tridiagonal.ends.map((s) => {
    const u = new Float32Array(n);
    subtractRows(rows, s.map((sj) => -sj), u);
    scale(u, 1 / Math.sqrt(dot(u, u)));
    apply(u, hu);
    const theta = dot(u, hu);
    let squares = 0;
    for (let i = 0; i < n; i++) squares += (hu[i] - theta * u[i]) ** 2;
    return [theta, Math.sqrt(squares)];
  });
  return tridiagonal.refined(thetaMin, residualMin, thetaMax, residualMax);
}
