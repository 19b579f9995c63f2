import type { ArrayOperator } from './hvp';
import type { CriticalPointKind, SpectrumEnds } from './classifyCriticalPoint';

/**
 * A minimum or maximum verdict must hold at the critical point the sample is near, not only at the
 * iterate: near a flat inflection point (x³ from 1, x + sin x from 2.5) gradient descent crawls towards a
 * point where f'' → 0, and at the iterate the Hessian still looks definite. The Newton step s = H⁻¹g
 * predicts where the critical point is; if the deciding curvature (λmin for a minimum, −λmax for a
 * maximum) falls by more than a quarter between the iterate and x − s, the curvature is changing on the
 * scale of the distance to the critical point and the second-order test says nothing there.
 *
 * For a cubic inflection the curvature halves over every Newton step whatever the distance (f'' ∝ d,
 * g ∝ d², so H⁻¹g = d/2); at a non-degenerate critical point it changes by O(distance), which vanishes.
 */
const ALLOWED_DROP = 0.25;
/** Conjugate gradients for H·s = g: iterations and relative residual. */
const CG_ITERATIONS = 200;
const CG_TOL = 1e-6;

export interface NearCriticalPoint {
  /** The gradient at the iterate. */
  readonly grad: Float32Array;
  /** H at the iterate, on arrays. */
  readonly hessian: ArrayOperator;
  /** The spectrum's ends at another point (the predicted critical point), by the sample's method. */
  endsAt(point: Float32Array): Promise<SpectrumEnds>;
}

/** Undefined when the verdict stands; else why the second-order test is inconclusive near the critical point. */
export async function verdictNearCriticalPoint(
  kind: CriticalPointKind, x: Float32Array, ends: SpectrumEnds, nearOf: () => NearCriticalPoint,
): Promise<string | undefined> {
  if (kind !== 'minimum' && kind !== 'maximum') return undefined;
  // Only now: the gradient and the operator cost a gradient and more, and most samples are not near a critical point.
  const near = nearOf();
  const sign = kind === 'minimum' ? 1 : -1;
  // −H is positive definite at a maximum: CG on sign·H.
  const step = conjugateGradients((v, out) => {
    near.hessian(v, out);
    if (sign < 0) for (let i = 0; i < out.length; i++) out[i] = -out[i];
  }, Float64Array.from(near.grad, (g) => sign * g));
  const distance = Math.sqrt(step.reduce((s, v) => s + v * v, 0));
  if (!(distance > 0)) return undefined;
  const predicted = Float32Array.from(x, (xi, i) => xi - step[i]);
  const there = await near.endsAt(predicted);
  const deciding = (e: SpectrumEnds) => (sign > 0 ? e.lambdaMin : -e.lambdaMax);
  const [here, atPoint] = [deciding(ends), deciding(there)];
  if (atPoint >= (1 - ALLOWED_DROP) * here) return undefined;
  const what = sign > 0 ? 'λmin' : 'λmax';
  return `${what} goes from ${fmt(sign * here)} at the iterate to ${fmt(sign * atPoint)} at the critical point it approaches ` +
    `(Newton step ${fmt(distance)} away): the curvature vanishes there, so the second-order test is inconclusive`;
}

const fmt = (v: number): string => Number(v.toPrecision(3)).toString();

/** Solves A·s = b for symmetric positive definite A (float64 on the host, products in float32). */
function conjugateGradients(apply: ArrayOperator, b: Float64Array): Float64Array {
  const n = b.length;
  const s = new Float64Array(n);
  const r = Float64Array.from(b);
  const p = Float64Array.from(b);
  const p32 = new Float32Array(n);
  const ap = new Float32Array(n);
  const bNorm = Math.sqrt(dot(b, b));
  let rr = dot(r, r);
  for (let k = 0; k < Math.min(CG_ITERATIONS, 2 * n) && Math.sqrt(rr) > CG_TOL * bNorm; k++) {
    p32.set(p);
    apply(p32, ap);
    const pap = dot(p, ap);
    // Not positive definite along p after all: keep what was solved.
    if (!(pap > 0)) break;
    const alpha = rr / pap;
    for (let i = 0; i < n; i++) {
      s[i] += alpha * p[i];
      r[i] -= alpha * ap[i];
    }
    const next = dot(r, r);
    for (let i = 0; i < n; i++) p[i] = r[i] + (next / rr) * p[i];
    rr = next;
  }
  return s;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}
