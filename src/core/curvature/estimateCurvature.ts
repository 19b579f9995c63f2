import * as tf from '@tensorflow/tfjs';
import { classifyCriticalPoint, countNegative } from './classifyCriticalPoint';
import { exactSpectrum } from './exactSpectrum';
import { hessianOperator, onArrays, type ArrayOperator, type LinearOperator } from './hvp';
import type { FlatObjective } from './hvp';
import { hvpSelfCheck } from './hvpSelfCheck';
import { lanczos } from './lanczos';
import { LANCZOS_DEFAULTS } from './lanczosTridiagonal';

/** The power method's default iteration cap. */
const POWER_ITERATIONS = 80;
import { learningRateDiagnostics } from './learningRateDiagnostics';
import { verdictNearCriticalPoint, type NearCriticalPoint } from './verdictNearCriticalPoint';
import { powerIteration } from './powerIteration';

/**
 * One curvature sample. The runner sends it as the protocol's CurvatureSample (src/protocol/runner.ts), whose
 * schema is this shape on the wire: the compiler checks that an estimate is a valid sample where it is sent.
 */
export interface CurvatureEstimate {
  step: number;
  lambdaMax: number;
  lambdaMin: number;
  /** κ of the minimised function's Hessian when it is positive definite, else null. */
  condition: number | null;
  residualMax: number;
  residualMin: number;
  method: 'exact' | 'lanczos' | 'power';
  negativeCount?: number;
  classification?: 'minimum' | 'maximum' | 'saddle' | 'degenerate' | 'not-critical';
  /** 2/λmax of the minimised function: the largest stable gradient-descent step. */
  stabilityEdge?: number | null;
  suggestedLr?: number | null;
  /** HVP self-check against finite differences failed (the estimate is not trusted). */
  hvpMismatch?: string;
  /** lr·λmax/2: above 1 the run is past the edge of stability. */
  edgeRatio?: number | null;
  /** Every eigenvalue, ascending (method 'exact' only). */
  eigenvalues?: number[];
  /** Whether the iteration met its tolerance or exhausted the Krylov space (Lanczos, power); false: the ends are estimates. */
  converged?: boolean;
  /** Why Lanczos stopped (see LanczosResult). */
  stoppedBy?: 'tolerance' | 'exhausted' | 'iterations' | 'time' | 'memory';
  /** Why the classification is 'degenerate' although the Hessian at the iterate looked definite. */
  verdictNote?: string;
  /** κ ≥ this when Lanczos stopped before converging on a positive-definite-looking spectrum (condition is then null). */
  conditionLowerBound?: number;
  /** HVPs spent (Lanczos/power iterations, or n for exact). */
  iterations?: number;
}

export interface CurvatureOptions {
  /** 'auto': exact when n ≤ exactThreshold, else Lanczos. */
  method?: 'auto' | 'exact' | 'lanczos' | 'power';
  /** Default 64. */
  exactThreshold?: number;
  /** Iteration cap: Lanczos's default is n (exact once the Krylov space is exhausted) within `budgetMs`; the power method's 80. */
  maxIterations?: number;
  /** Lanczos stops after this much time (ms), not converged, and the sample says so. Default: no limit. */
  budgetMs?: number;
  /** Residual tolerance relative to max|λ|. Default 1e-4. */
  tol?: number;
  seed?: number;
  /** Classification: the gradient counts as zero at or below this norm. Default 1e-3. */
  gradTol?: number;
  /** Eigenvalues within zeroTol·max|λ| of 0 count as zero. Default 1e-6. */
  zeroTol?: number;
  /** Compare one HVP with finite differences first (the runner does at the first sample). */
  selfCheck?: boolean;
  /**
   * f is −g for a maximised objective g: report g's spectrum, eigenvalues and
   * classification (a maximum of g is a 'maximum'), while κ and the
   * learning-rate diagnostics stay those of f, the function the optimizer steps on.
   */
  negated?: boolean;
  /** A faster H(x)·v for the same f (the compiled one); the self-check still uses TensorFlow.js's. */
  hessianAt?: (x: tf.Tensor1D) => LinearOperator;
  /** The same product on plain arrays (the compiled one), for Lanczos (else it wraps the tensor product). */
  hessianArraysAt?: (x: Float32Array) => ArrayOperator;
}

export interface CurvatureContext {
  gradNorm: number;
  lr: number;
  step: number;
}

/**
 * Curvature of f at x: the ends of the Hessian's spectrum with their residuals,
 * κ when positive definite, the critical-point type and the learning-rate
 * diagnostics. Throws "second derivative not supported for op X" when the
 * objective uses an op whose second derivative TensorFlow.js cannot compute.
 */
export async function estimateCurvature(
  f: FlatObjective,
  x: tf.Tensor1D,
  ctx: CurvatureContext,
  options: CurvatureOptions = {},
): Promise<CurvatureEstimate> {
  const zeroTol = options.zeroTol ?? 1e-6;
  const check = options.selfCheck ? await hvpSelfCheck(f, x, { seed: options.seed }) : undefined;
  let sample = await spectrumSample(f, x, ctx.step, options);
  setCondition(sample);
  const { stabilityEdge, suggestedLr, edgeRatio } = learningRateDiagnostics(sample.lambdaMax, ctx.lr);
  sample.stabilityEdge = stabilityEdge;
  sample.suggestedLr = suggestedLr;
  sample.edgeRatio = edgeRatio;
  const classify = sample.method !== 'power' || !(ctx.gradNorm <= (options.gradTol ?? 1e-3));
  // Checked on f's own spectrum (the critical point is the same for f and −f).
  const inconclusive = classify ? await verdictNearCriticalPoint(classifyCriticalPoint(ctx.gradNorm, sample, { gradTol: options.gradTol, zeroTol }), x.dataSync() as Float32Array, sample, () => nearOf(f, x, options)) : undefined;
  if (options.negated) sample = negatedSpectrum(sample);
  if (classify) sample.classification = inconclusive ? 'degenerate' : classifyCriticalPoint(ctx.gradNorm, sample, { gradTol: options.gradTol, zeroTol });
  if (inconclusive) sample.verdictNote = inconclusive;
  if (check && !check.ok) sample.hvpMismatch = check.message;
  return sample;
}

/** The gradient and Hessian at x, and the spectrum's ends anywhere, for the verdict's check near the critical point. */
function nearOf(f: FlatObjective, x: tf.Tensor1D, options: CurvatureOptions): NearCriticalPoint {
  const gradient = tf.tidy(() => tf.grad((y: tf.Tensor) => f(y as tf.Tensor1D))(x));
  const grad = Float32Array.from(gradient.dataSync());
  gradient.dispose();
  return {
    grad,
    hessian: options.hessianArraysAt?.(x.dataSync() as Float32Array) ?? onArrays(options.hessianAt?.(x) ?? hessianOperator(f, x)),
    endsAt: async (point) => {
      const at = tf.tensor1d(point);
      try {
        return await spectrumSample(f, at, 0, { ...options, negated: false });
      } finally {
        at.dispose();
      }
    },
  };
}

/** The spectrum's ends at x by the chosen method (exact for small n, Lanczos, or the power method). */
async function spectrumSample(f: FlatObjective, x: tf.Tensor1D, step: number, options: CurvatureOptions): Promise<CurvatureEstimate> {
  const n = x.size;
  const zeroTol = options.zeroTol ?? 1e-6;
  const method = options.method ?? 'auto';
  const apply = options.hessianAt?.(x) ?? hessianOperator(f, x);
  const iterationOptions = { tol: options.tol ?? LANCZOS_DEFAULTS.tol, seed: options.seed ?? LANCZOS_DEFAULTS.seed };
  if (method === 'exact' || (method === 'auto' && n <= (options.exactThreshold ?? 64))) {
    const { eigenvalues, asymmetry } = await exactSpectrum(apply, n);
    return {
      step,
      lambdaMax: eigenvalues[n - 1],
      lambdaMin: eigenvalues[0],
      condition: null,
      residualMax: asymmetry,
      residualMin: asymmetry,
      method: 'exact',
      negativeCount: countNegative(options.negated ? eigenvalues.map((l) => -l) : eigenvalues, zeroTol),
      eigenvalues,
      iterations: n,
    };
  }
  if (method === 'power') {
    const power = await powerIteration(apply, n, { ...iterationOptions, maxIterations: options.maxIterations ?? POWER_ITERATIONS });
    const magnitude = Math.abs(power.lambda);
    // λmin is unknown: all that is known is |λmin| ≤ |λ|, which the residual says.
    return {
      step,
      lambdaMax: power.lambda,
      lambdaMin: 0,
      condition: null,
      residualMax: power.residual,
      residualMin: magnitude + power.residual,
      method: 'power',
      iterations: power.iterations,
      converged: power.converged,
    };
  }
  const lanczosOptions = { ...iterationOptions, maxIterations: options.maxIterations, budgetMs: options.budgetMs ?? LANCZOS_DEFAULTS.budgetMs };
  const result = lanczos(options.hessianArraysAt ? options.hessianArraysAt(x.dataSync() as Float32Array) : onArrays(apply), n, lanczosOptions);
  return {
    step,
    lambdaMax: result.lambdaMax,
    lambdaMin: result.lambdaMin,
    condition: null,
    residualMax: result.residualMax,
    residualMin: result.residualMin,
    method: 'lanczos',
    // Ritz values interlace the spectrum: this is a lower bound on the true count.
    negativeCount: countNegative(options.negated ? result.ritzValues.map((l) => -l) : result.ritzValues, zeroTol),
    iterations: result.iterations,
    converged: result.converged,
    stoppedBy: result.stoppedBy,
  };
}

/**
 * κ = λmax/λmin when the ends are known (exact, or Lanczos converged) and positive. Lanczos stopped early knows
 * bounds only: Ritz values lie inside the spectrum (λmin ≤ θmin ≤ θmax ≤ λmax), so κ ≥ θmax/θmin when H is
 * positive definite — a bound, never shown as κ.
 */
function setCondition(sample: CurvatureEstimate): void {
  if (!(sample.lambdaMin > 0)) return;
  if (sample.method === 'exact' || (sample.method === 'lanczos' && sample.converged)) sample.condition = sample.lambdaMax / sample.lambdaMin;
  else if (sample.method === 'lanczos') sample.conditionLowerBound = sample.lambdaMax / sample.lambdaMin;
}

/** The spectrum of −f from that of f: λmax(−f) = −λmin(f), λmin(−f) = −λmax(f), residuals swapped. */
function negatedSpectrum(sample: CurvatureEstimate): CurvatureEstimate {
  return {
    ...sample,
    lambdaMax: -sample.lambdaMin,
    lambdaMin: -sample.lambdaMax,
    residualMax: sample.residualMin,
    residualMin: sample.residualMax,
    ...(sample.eigenvalues ? { eigenvalues: sample.eigenvalues.map((l) => -l).reverse() } : {}),
  };
}
