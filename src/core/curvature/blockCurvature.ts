/**
 * Curvature per named parameter tensor: the diagonal blocks H_kk of the Hessian (PyHessian#10's per-layer
 * request). λmax of each block by Lanczos (./lanczos.ts) on v_k ↦ (H·[0 … v_k … 0])_k, and every block's trace
 * from the same Rademacher probes of the whole vector: z_kᵀ(Hz)_k estimates tr(H_kk), since E[z_k z_jᵀ] = 0 for
 * j ≠ k, so p products serve all blocks, each with its own standard error.
 */
import type { ArrayOperator } from './hvp';
import { lanczos } from './lanczos';
import { meanAndStdErr, rademacher } from './spectralDensity';

export interface Block {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
}

export interface BlockCurvature {
  name: string;
  size: number;
  lambdaMax: number;
  /** ‖H_kk·u − λu‖ of the Ritz pair. */
  residual: number;
  converged: boolean;
  trace: number;
  traceStdErr: number;
}

export interface BlockOptions {
  probes?: number;
  seed?: number;
  /** Each block's Lanczos stops by this much time (ms). */
  budgetMs?: number;
}

/** λmax and trace of each block (blocks must tile 0…n−1 without overlap; gaps are left out). */
export function blockCurvature(apply: ArrayOperator, n: number, blocks: readonly Block[], options: BlockOptions = {}): BlockCurvature[] {
  const probes = Math.max(2, options.probes ?? 8);
  const random = rademacher(options.seed ?? 0);
  const perProbe: number[][] = blocks.map(() => []);
  const hz = new Float32Array(n);
  for (let p = 0; p < probes; p++) {
    const z = random(n);
    apply(z, hz);
    blocks.forEach((b, k) => {
      let sum = 0;
      for (let i = b.offset; i < b.offset + b.size; i++) sum += z[i] * hz[i];
      perProbe[k].push(sum);
    });
  }
  const full = new Float32Array(n);
  const out = new Float32Array(n);
  return blocks.map((b, k) => {
    // The block as an operator of its own size: embed, apply H, keep the block's rows.
    const block: ArrayOperator = (v, w) => {
      full.fill(0);
      full.set(v, b.offset);
      apply(full, out);
      w.set(out.subarray(b.offset, b.offset + b.size));
    };
    const r = lanczos(block, b.size, { seed: options.seed ?? 0, budgetMs: options.budgetMs ?? Infinity, tol: 1e-3 });
    const { mean, stdErr } = meanAndStdErr(perProbe[k]);
    return { name: b.name, size: b.size, lambdaMax: r.lambdaMax, residual: r.residualMax, converged: r.converged, trace: mean, traceStdErr: stdErr };
  });
}
