export type CriticalPointKind = 'minimum' | 'maximum' | 'saddle' | 'degenerate' | 'not-critical';

export interface SpectrumEnds {
  lambdaMax: number;
  lambdaMin: number;
  /** How far each end may be off; an end within its residual of 0 has no known sign. */
  residualMax: number;
  residualMin: number;
}

export interface ClassifyOptions {
  /** The gradient counts as zero at or below this norm. Default 1e-3. */
  gradTol?: number;
  /** Eigenvalues within zeroTol·max|λ| of 0 count as zero. Default 1e-6. */
  zeroTol?: number;
}

/**
 * The second-derivative test (seed 003): where the gradient vanishes, a positive
 * definite Hessian is a local minimum, a negative definite one a local maximum,
 * one with eigenvalues of both signs a saddle, and otherwise (a zero eigenvalue,
 * no other sign) the test is inconclusive: degenerate.
 */
export function classifyCriticalPoint(gradNorm: number, ends: SpectrumEnds, options: ClassifyOptions = {}): CriticalPointKind {
  if (!(gradNorm <= (options.gradTol ?? 1e-3))) return 'not-critical';
  const zero = (options.zeroTol ?? 1e-6) * Math.max(Math.abs(ends.lambdaMax), Math.abs(ends.lambdaMin));
  const positive = ends.lambdaMax > Math.max(zero, ends.residualMax);
  const negative = ends.lambdaMin < -Math.max(zero, ends.residualMin);
  if (positive && negative) return 'saddle';
  if (ends.lambdaMin > Math.max(zero, ends.residualMin)) return 'minimum';
  if (ends.lambdaMax < -Math.max(zero, ends.residualMax)) return 'maximum';
  return 'degenerate';
}

/** Eigenvalues below −zeroTol·max|λ| (exact when given the whole spectrum). */
export function countNegative(eigenvalues: readonly number[], zeroTol = 1e-6): number {
  const scale = Math.max(0, ...eigenvalues.map(Math.abs));
  return eigenvalues.filter((l) => l < -zeroTol * scale).length;
}
