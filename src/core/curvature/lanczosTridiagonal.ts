/**
 * Lanczos's options and result, and the host side of the iteration (./lanczos.ts
 * does the vector side). Each step's α and β extend
 * the tridiagonal T_k, whose eigenproblem gives the Ritz values, their
 * residuals β·|s_k| and the stopping decision.
 */
import { symmetricEigen } from './symmetricEigen';

export interface LanczosOptions {
  /**
   * Iteration cap (each iteration is one operator application, plus 2 at the end). Default: n, where the
   * Krylov space is exhausted and the ends are exact, unless `budgetMs` or `memoryBytes` stop it first.
   */
  maxIterations?: number;
  /**
   * Stop after this much time (ms) even if not converged; the result then says so. Default: no limit, so
   * the same input gives the same result on any machine (the runner sets one per sample).
   */
  budgetMs?: number;
  /** The Lanczos vectors are kept (full re-orthogonalisation): at most this many bytes of them. Default 256 MiB. */
  memoryBytes?: number;
  /** Stop when both ends' residuals are below tol·max|θ|. Default 1e-4. */
  tol?: number;
  /** Seed of the random start vector. Default 0. */
  seed?: number;
  /** Start from this vector (unit norm) instead of the seeded random one (stochastic Lanczos quadrature's probes). */
  start?: Float32Array;
}

export interface LanczosResult {
  lambdaMax: number;
  lambdaMin: number;
  /** ‖H·u − θ·u‖ of each end's Ritz pair: an eigenvalue of H lies within it of θ. */
  residualMax: number;
  residualMin: number;
  /** All Ritz values, ascending (interior ones are rough). */
  ritzValues: number[];
  /** Squared first component of each Ritz vector in the Lanczos basis: the Gauss quadrature weights of the start vector's spectral measure (sum 1). */
  ritzWeights: number[];
  iterations: number;
  converged: boolean;
  /** Why it stopped: both ends within tol, the Krylov space exhausted (exact), or a cap (not converged). */
  stoppedBy: 'tolerance' | 'exhausted' | 'iterations' | 'time' | 'memory';
}

export const LANCZOS_DEFAULTS = { maxIterations: Infinity, tol: 1e-4, seed: 0, budgetMs: Infinity, memoryBytes: 256 * 2 ** 20 } as const;

export class LanczosTridiagonal {
  /** At most this many Lanczos vectors (never more than n). */
  readonly cap: number;
  /** What the cap is: the iteration cap, or the memory for the vectors (n itself is exhaustion, not a cap). */
  private readonly capReason: 'iterations' | 'memory';
  readonly seed: number;
  private readonly tol: number;
  private readonly deadline: number;
  /** The iteration at which T's eigenproblem is solved next (sparser as k grows: each solve costs O(k³)). */
  private nextSolve = 1;
  private readonly alphas: number[] = [];
  private readonly betas: number[] = [];
  /** The latest solved Ritz values and ends (residuals β·|s_k| until measured). */
  result: LanczosResult = { lambdaMax: NaN, lambdaMin: NaN, residualMax: Infinity, residualMin: Infinity, ritzValues: [], ritzWeights: [], iterations: 0, converged: false, stoppedBy: 'iterations' };
  /** Coefficients in the Lanczos basis of the ends' Ritz vectors: [lowest, highest]. */
  ends: number[][] = [];

  constructor(private readonly n: number, options: LanczosOptions) {
    const maxIterations = options.maxIterations ?? LANCZOS_DEFAULTS.maxIterations;
    const { tol = LANCZOS_DEFAULTS.tol, seed = LANCZOS_DEFAULTS.seed, budgetMs = LANCZOS_DEFAULTS.budgetMs, memoryBytes = LANCZOS_DEFAULTS.memoryBytes } = options;
    // The vectors, padded to a multiple of 4 values, plus the two the ends' refinement uses.
    const byMemory = Math.floor(memoryBytes / (16 * Math.ceil(n / 4))) - 2;
    this.cap = Math.max(1, Math.min(maxIterations, n, byMemory));
    this.capReason = byMemory < Math.min(maxIterations, n) ? 'memory' : 'iterations';
    this.tol = tol;
    this.seed = seed;
    this.deadline = Date.now() + budgetMs;
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
    const outOfTime = Date.now() >= this.deadline;
    const last = exhausted || outOfTime || k === this.cap;
    // The k×k eigenproblem costs O(k³) on the host: solved at every step up to 8, then about every k/8 steps.
    if (last || k >= this.nextSolve) {
      this.nextSolve = k <= 8 ? k + 1 : k + Math.max(4, Math.ceil(k / 8));
      this.solve();
      const { lambdaMax, lambdaMin, residualMax, residualMin } = this.result;
      const scale = Math.max(Math.abs(lambdaMax), Math.abs(lambdaMin), Number.MIN_VALUE);
      const withinTol = residualMax <= this.tol * scale && residualMin <= this.tol * scale;
      this.result.converged = exhausted || withinTol;
      this.result.stoppedBy = exhausted ? 'exhausted' : withinTol ? 'tolerance' : outOfTime ? 'time' : this.capReason;
    }
    return this.result.converged || last;
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
      ritzWeights: vectors.map((s) => s[0] ** 2),
      iterations: k,
      converged: false,
      stoppedBy: 'iterations',
    };
    this.ends = [vectors[0], vectors[k - 1]];
  }
}
