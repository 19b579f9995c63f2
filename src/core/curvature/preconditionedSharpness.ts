/**
 * λmax(P⁻¹H) for a diagonal P > 0: an adaptive optimizer's sharpness at the edge of stability (Cohen et al. 2022).
 * P⁻¹H is not symmetric but is similar to P^(−1/2)·H·P^(−1/2), which is: Lanczos (./lanczos.ts) runs on that, and
 * its residual bounds the distance from the reported value to an eigenvalue of both.
 */
import type { ArrayOperator } from './hvp';
import { lanczos, type LanczosOptions } from './lanczos';

export interface PreconditionedSharpness {
  lambdaMax: number;
  /** ‖S·u − θ·u‖ of the Ritz pair, S = P^(−1/2)HP^(−1/2): an eigenvalue of P⁻¹H lies within it. */
  residual: number;
  converged: boolean;
  /** Hessian-vector products spent. */
  iterations: number;
}

/** Largest eigenvalue of P⁻¹H, P = diag(p) with every p > 0 (throws otherwise: the limit would mean nothing). */
export function preconditionedSharpness(apply: ArrayOperator, p: Float32Array, options: LanczosOptions = {}): PreconditionedSharpness {
  const n = p.length;
  const scale = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (!(p[i] > 0) || !Number.isFinite(p[i])) throw new Error(`preconditioner entry ${i} is ${p[i]}: it must be finite and > 0`);
    scale[i] = 1 / Math.sqrt(p[i]);
  }
  const scaled = new Float32Array(n);
  const symmetric: ArrayOperator = (v, out) => {
    for (let i = 0; i < n; i++) scaled[i] = v[i] * scale[i];
    apply(scaled, out);
    for (let i = 0; i < n; i++) out[i] *= scale[i];
  };
  const result = lanczos(symmetric, n, options);
  return { lambdaMax: result.lambdaMax, residual: result.residualMax, converged: result.converged, iterations: result.iterations + 2 };
}
