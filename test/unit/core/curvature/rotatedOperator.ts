import type { ArrayOperator } from '../../../../src/core/curvature/hvp';

/**
 * H = QᵀDQ on plain arrays with Q a product of three Householder reflections (dense off-diagonals, O(n) per
 * product, float64 inside): its eigenvalues are exactly d, and its diagonal, tr(H) and tr(H²) known in closed form.
 */
export function rotatedOperator(d: readonly number[]): { apply: ArrayOperator; diagonal: Float64Array } {
  const n = d.length;
  const reflections = [0.37, 1.3, 2.9].map((a) => {
    const u = Array.from({ length: n }, (_, i) => Math.sin(a * i * i + a) + 0.3 * Math.cos(7 * a * i));
    const norm = Math.hypot(...u);
    return u.map((ui) => ui / norm);
  });
  const reflect = (u: number[], x: Float64Array) => {
    let dot = 0;
    for (let i = 0; i < n; i++) dot += u[i] * x[i];
    for (let i = 0; i < n; i++) x[i] -= 2 * dot * u[i];
  };
  const applyQ = (x: Float64Array) => reflections.forEach((u) => reflect(u, x));
  const applyQt = (x: Float64Array) => [...reflections].reverse().forEach((u) => reflect(u, x));
  const apply: ArrayOperator = (v, out) => {
    const x = Float64Array.from(v);
    applyQ(x);
    for (let i = 0; i < n; i++) x[i] *= d[i];
    applyQt(x);
    out.set(x);
  };
  // Hᵢᵢ = Σₖ dₖ Qₖᵢ²: column i of Q is Q·eᵢ.
  const diagonal = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const e = new Float64Array(n);
    e[i] = 1;
    applyQ(e);
    for (let k = 0; k < n; k++) diagonal[i] += d[k] * e[k] * e[k];
  }
  return { apply, diagonal };
}
