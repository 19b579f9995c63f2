/**
 * Lanczos's options and result, and the host side of the iteration (./lanczos.ts
 * does the vector side). Each step's α and β extend
 * the tridiagonal T_k, whose eigenproblem gives the Ritz values, their
 * residuals β·|s_k| and the stopping decision.
 */
import { symmetricEigen } from './symmetricEigen';

export interface LanczosOptions {
  /** Iteration cap (each iteration is one operator application, plus 2 at the end). Default 80. */
  maxIterations?: number;
  /** Stop when both ends' residuals are below tol·max|θ|. Default 1e-4. */
  tol?: number;
  /** Seed of the random start vector. Default 0. */
  seed?: number;
}

export interface LanczosResult {
  lambdaMax: number;
  lambdaMin: number;
  /** ‖H·u − θ·u‖ of each end's Ritz pair: an eigenvalue of H lies within it of θ. */
  residualMax: number;
  residualMin: number;
  /** All Ritz values, ascending (interior ones are rough). */
  ritzValues: number[];
  iterations: number;
  converged: boolean;
}

export const LANCZOS_DEFAULTS = { maxIterations: 80, tol: 1e-4, seed: 0 } as const;

export class LanczosTridiagonal {
  /** At most this many Lanczos vectors (never more than n). */
  readonly cap: number;
  readonly seed: number;
  private readonly tol: number;
  private readonly alphas: number[] = [];
  private readonly betas: number[] = [];
  /** The latest solved Ritz values and ends (residuals β·|s_k| until measured). */
  result: LanczosResult = { lambdaMax: NaN, lambdaMin: NaN, residualMax: Infinity, residualMin: Infinity, ritzValues: [], iterations: 0, converged: false };
  /** Coefficients in the Lanczos basis of the ends' Ritz vectors: [lowest, highest]. */
  ends: number[][] = [];

  constructor(private readonly n: number, options: LanczosOptions) {
    const { maxIterations, tol, seed } = { ...LANCZOS_DEFAULTS, ...options };
    this.cap = Math.max(1, Math.min(maxIterations, n));
    this.tol = tol;
    this.seed = seed;
  }

  /** The newest β (0 before the first step). */
  get lastBeta(): number {
    return this.betas.length === 0 ? 0 : this.betas[this.betas.length - 1];
  }

  /** Records step k's α = vₖ·H·vₖ and β = ‖rₖ‖; true when the iteration is over (converged, exhausted or at the cap). */
  step(alpha: number, beta: number): boolean {
    this.alphas.push(alpha);
    this.betas.push(beta);
    const k = this.alphas.length;
    // ‖T‖ up to a factor 3: the scale β is compared with (without solving T).
    const scaleOfT = Math.max(...this.alphas.map(Math.abs), ...this.betas.slice(0, -1), Number.MIN_VALUE);
    // β ≈ 0: the Krylov space is invariant, so its Ritz values are exact eigenvalues.
    const exhausted = beta <= 1e-6 * scaleOfT || k === this.n;
    // The k×k eigenproblem costs O(k³) on the host (~0.15 s summed over 80 iterations when
    // solved every time, a third of a sample at n = 1e3): past the first few iterations, check every 4th.
    if (exhausted || k === this.cap || k <= 8 || k % 4 === 0) {
      this.solve();
      const { lambdaMax, lambdaMin, residualMax, residualMin } = this.result;
      const scale = Math.max(Math.abs(lambdaMax), Math.abs(lambdaMin), Number.MIN_VALUE);
      this.result.converged = exhausted || (residualMax <= this.tol * scale && residualMin <= this.tol * scale);
    }
    return this.result.converged || k === this.cap;
  }

  /** The result with each end replaced by its Ritz vector's measured Rayleigh quotient θ and residual ‖H·u − θ·u‖. */
  refined(thetaMin: number, residualMin: number, thetaMax: number, residualMax: number): LanczosResult {
    return Object.assign(this.result, { lambdaMin: thetaMin, residualMin, lambdaMax: thetaMax, residualMax });
  }

  /** Ritz values of T_k, the residual β_k·|last component| of each end, and the ends' vectors s. */
  private solve(): void {
    const { alphas, betas } = this;
    const k = alphas.length;
    const rows = alphas.map((a, i) => alphas.map((_, j) => (i === j ? a : Math.abs(i - j) === 1 ? betas[Math.min(i, j)] : 0)));
    const { values, vectors } = symmetricEigen(rows);
    const beta = betas[k - 1];
    this.result = {
      lambdaMin: values[0],
      lambdaMax: values[k - 1],
      residualMin: Math.abs(beta * vectors[0][k - 1]),
      residualMax: Math.abs(beta * vectors[k - 1][k - 1]),
      ritzValues: values,
      iterations: k,
      converged: false,
    };
    this.ends = [vectors[0], vectors[k - 1]];
  }
}
