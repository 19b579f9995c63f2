/**
 * What a curvature sample carries beyond the spectrum's ends (issue 21): the edge of stability for the run's
 * optimizer and lr, the spectral density and trace, the gradient-noise scale, and what sampling cost. Every
 * estimate comes with its error; a figure without one is absent, never guessed.
 */
import { z } from 'zod';

/** `--diagnostics`: what is sampled and the share of the run's time it may take (src/runner/diagnosticsPlan.ts). */
export const diagnosticsPresetSchema = z.enum(['economy', 'standard', 'full']);
export type DiagnosticsPreset = z.infer<typeof diagnosticsPresetSchema>;

/** The gradient-noise scale and SNR of a stochastic objective (src/core/gradientNoise.ts); errors by the jackknife over batches. */
export const gradientNoiseSchema = z.object({
  /** B_simple = tr(Σ)/|g|² (McCandlish et al. 2018); null when |g|² is not resolved above the noise. */
  noiseScale: z.number().nullable(),
  noiseScaleStdErr: z.number().nonnegative().nullable(),
  /** |g|²/tr(Σ_B) at the run's batch size B (= B/B_simple). */
  snr: z.number().nullable(),
  snrStdErr: z.number().nonnegative().nullable(),
  traceCovariance: z.number(),
  gradNormSq: z.number(),
  batches: z.number().int().positive(),
  batchSize: z.number().int().positive(),
});
export type GradientNoiseSample = z.infer<typeof gradientNoiseSchema>;

/** Fields merged into the protocol's curvatureSampleSchema (src/protocol/runner.ts). */
export const curvatureDiagnosticsShape = {
  /**
   * The sharpness the run's optimizer is measured by at the edge of stability: λmax of the minimised function's
   * Hessian, or λmax(P⁻¹H) for an adaptive optimizer (then also `preconditionedLambdaMax`).
   */
  sharpness: z.number().optional(),
  /** Its Lanczos residual (an eigenvalue lies within it). */
  sharpnessResidual: z.number().nonnegative().optional(),
  /** The sharpness at which the optimizer at this lr sits at the edge of stability; null: the optimizer states none (`sharpnessLimitNote` says why). */
  sharpnessLimit: z.number().nullable().optional(),
  sharpnessLimitNote: z.string().optional(),
  /** λmax(P⁻¹H), P the diagonal preconditioner from the optimizer's second-moment state (Adam: (1 − β₁ᵗ)(√v̂ + ε)). */
  preconditionedLambdaMax: z.number().optional(),
  /** tr(H) of the user's f: Hutchinson's estimate over `traceProbes` Rademacher probes, or exact (`traceMethod`). */
  trace: z.number().optional(),
  traceStdErr: z.number().nonnegative().optional(),
  traceProbes: z.number().int().positive().optional(),
  traceMethod: z.enum(['exact', 'hutchinson']).optional(),
  /** Spectral density by stochastic Lanczos quadrature, averaged over the probes: nodes and weights (summing to 1). */
  density: z.object({ nodes: z.array(z.number()), weights: z.array(z.number().nonnegative()) }).optional(),
  /** diag(H) estimate (up to DIAGONAL_MAX entries) and the root-mean-square standard error of its entries. */
  diagonal: z.array(z.number()).optional(),
  diagonalStdErr: z.number().nonnegative().optional(),
  gradientNoise: gradientNoiseSchema.optional(),
  /**
   * Per named parameter tensor (objectives with several): λmax and trace of its diagonal block of the Hessian of the
   * minimised function (−f when maximising), with the Lanczos residual and the trace's standard error.
   */
  blocks: z.array(z.object({
    name: z.string(), size: z.number().int().positive(), lambdaMax: z.number(), residual: z.number().nonnegative(), converged: z.boolean(),
    trace: z.number(), traceStdErr: z.number().nonnegative(),
  })).optional(),
  /** Why the gradient-noise scale is absent although asked (full-batch objective, too few batches). */
  gradientNoiseNote: z.string().optional(),
  /** This sample's cost (ms), and the share of the run's time so far spent in diagnostics. */
  sampleMs: z.number().nonnegative().optional(),
  costShare: z.number().nonnegative().optional(),
};

/** The diagonal is sent up to this many parameters. */
export const DIAGONAL_MAX = 10_000;

/** Sharpness within this factor of its limit (either side, residual included) is "at the edge" (Cohen et al.: it hovers there). */
export const EDGE_BAND = 0.1;

/**
 * Where a sample sits against its stability limit: 'past' when even sharpness − residual exceeds the limit by more
 * than EDGE_BAND, 'at' when the interval sharpness ± residual reaches within EDGE_BAND of it, else 'below';
 * undefined without a limit. One definition for the dashboard and the lens.
 */
export function edgeOfStabilityState(sample: { sharpness?: number; sharpnessResidual?: number; sharpnessLimit?: number | null }): 'below' | 'at' | 'past' | undefined {
  const { sharpness, sharpnessLimit: limit } = sample;
  if (sharpness === undefined || limit === undefined || limit === null || !(limit > 0)) return undefined;
  const residual = sample.sharpnessResidual ?? 0;
  if (sharpness - residual > (1 + EDGE_BAND) * limit) return 'past';
  return sharpness + residual >= (1 - EDGE_BAND) * limit ? 'at' : 'below';
}
