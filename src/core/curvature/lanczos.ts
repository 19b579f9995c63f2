import type { ArrayOperator } from './hvp';
import { krylovSlots, type KrylovSlots } from './krylovSlots';
import { LanczosTridiagonal, type LanczosOptions, type LanczosResult } from './lanczosTridiagonal';
import { randomUnitVector } from './randomUnitVector';

export type { LanczosOptions, LanczosResult } from './lanczosTridiagonal';

/**
 * A full Gram-Schmidt pass that shrinks r below this share of its norm
 * cancelled enough digits to leave r visibly non-orthogonal: pass again
 * (Daniel-Gragg-Kaufman-Stewart's criterion, η = 1/√2).
 */
const CANCELLATION = Math.SQRT1_2;

/**
 * Lanczos iteration on a symmetric operator of size n, with full re-orthogonalisation, for the ends of
 * its spectrum. The one Lanczos of the project: the compiled Hessian-vector product is an operator on
 * Float32Arrays already, and TensorFlow.js's is wrapped as one (`onArrays` in ./hvp.ts) — every backend
 * in use keeps tensors in CPU memory, so the basis lives in float32 slots (WebAssembly SIMD loops where
 * the engine has them, see krylovSlots.ts) and everything but the product runs synchronously here.
 *
 * Re-orthogonalisation: the three-term recurrence first removes the two large components
 * (β_{k−1}·v_{k−1} and α·v_k), then one full classical Gram-Schmidt pass removes what rounding left
 * along every earlier vector, and a second only when that pass cancelled (DGKS), so no ghost
 * eigenvalues. At the end, each end's Ritz vector u is formed and H·u applied once more: the reported
 * λ is its Rayleigh quotient and the residual ‖H·u − λ·u‖ is measured, not inferred, so it also covers
 * float32 rounding (which limits λmin to about 1e-5·λmax in absolute terms).
 */
export function lanczos(apply: ArrayOperator, n: number, options: LanczosOptions = {}): LanczosResult {
  const tridiagonal = new LanczosTridiagonal(n, options);
  const { cap } = tridiagonal;
  // Slots 0…k−1 hold v₀…v_{k−1}, slot k the next r; two more for the ends' refinement.
  const slots = krylovSlots(n, cap + 2);
  slots.view(0).set(options.start ?? startVector(n, tridiagonal.seed));
  const coefficients = new Float64Array(cap);
  for (let k = 1; ; k++) {
    const [v, r] = [k - 1, k];
    apply(slots.view(v), slots.view(r));
    if (k > 1) slots.subtract(k - 2, [tridiagonal.lastBeta], r);
    let alpha = slots.dot(v, r);
    slots.subtract(v, [alpha], r);
    let norm = Math.sqrt(slots.dot(r, r));
    for (let pass = 0; pass < 2; pass++) {
      const before = norm;
      const c = coefficients.subarray(0, k);
      slots.dots(0, r, c);
      slots.subtract(0, c, r);
      alpha += c[k - 1];
      norm = Math.sqrt(slots.dot(r, r));
      if (norm >= CANCELLATION * before) break;
    }
    if (tridiagonal.step(alpha, norm)) break;
    slots.scale(r, 1 / norm);
  }
  return refineEnds(apply, slots, tridiagonal);
}

/** The last start vector: samples during a run repeat n and seed, and drawing it costs ~4 ms at n = 1e5. */
let lastStart: { n: number; seed: number; values: Float32Array } | undefined;

/** randomUnitVector's values (TensorFlow.js's seeded generator): the start every curvature method shares. */
function startVector(n: number, seed: number): Float32Array {
  if (lastStart?.n !== n || lastStart.seed !== seed) {
    const tensor = randomUnitVector(n, seed);
    lastStart = { n, seed, values: Float32Array.from(tensor.dataSync()) };
    tensor.dispose();
  }
  return lastStart.values;
}

/** Each end's Ritz vector u = V·s: its Rayleigh quotient θ = u·H·u and the measured ‖H·u − θ·u‖. */
function refineEnds(apply: ArrayOperator, slots: KrylovSlots, tridiagonal: LanczosTridiagonal): LanczosResult {
  const [u, hu] = [tridiagonal.cap, tridiagonal.cap + 1];
  const [[thetaMin, residualMin], [thetaMax, residualMax]] = tridiagonal.ends.map((s) => {
    // u = 0 − Σ (−sⱼ)·vⱼ (the slot may hold the last r).
    slots.view(u).fill(0);
    slots.subtract(0, s.map((sj) => -sj), u);
    slots.scale(u, 1 / Math.sqrt(slots.dot(u, u)));
    apply(slots.view(u), slots.view(hu));
    const theta = slots.dot(u, hu);
    const [uValues, huValues] = [slots.view(u), slots.view(hu)];
    let squares = 0;
    for (let i = 0; i < uValues.length; i++) squares += (huValues[i] - theta * uValues[i]) ** 2;
    return [theta, Math.sqrt(squares)];
  });
  return tridiagonal.refined(thetaMin, residualMin, thetaMax, residualMax);
}
