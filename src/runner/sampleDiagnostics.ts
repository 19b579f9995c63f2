/**
 * The fields a curvature sample carries beyond the spectrum's ends (src/protocol/diagnostics.ts): the edge of
 * stability of the run's optimizer at its lr, the spectral density and trace, and the gradient-noise scale. Run at
 * sample time only (read-backs of whole vectors are fine here, never per step).
 */
import type * as tfType from '@tensorflow/tfjs';
import type { ArrayOperator } from '../core/curvature/hvp';
import { blockCurvature, type Block } from '../core/curvature/blockCurvature';
import { preconditionedSharpness } from '../core/curvature/preconditionedSharpness';
import { spectralDensity } from '../core/curvature/spectralDensity';
import { gradientNoise, JACKKNIFE_MIN_BATCHES } from '../core/gradientNoise';
import { DIAGONAL_MAX } from '../protocol/diagnostics';
import type { CurvatureSample } from '../protocol/runner';
import type { DiagnosticsPlan } from './diagnosticsPlan';
import type { WatchedOptimizer } from './stateWatch';

/** The gradient-noise scale uses at most this many batches of the first epoch (fixed, so samples compare). */
export const NOISE_MAX_BATCHES = 16;

/** A stochastic objective's batches: their size, the data set's, and the gradient at x on batch k of the first epoch (its sign does not matter). */
export interface NoiseSource {
  readonly batchSize: number;
  readonly datasetSize: number;
  gradientOnBatch(k: number, x: tfType.Tensor1D): Float32Array;
}

export interface DiagnosticsContext {
  readonly plan: DiagnosticsPlan;
  readonly optimizer?: WatchedOptimizer;
  /** Absent for objectives without data (or full-batch ones, where there is no noise). */
  readonly noise?: NoiseSource;
  readonly negated: boolean;
  readonly seed: number;
  /** Each Lanczos run inside stops by this much time (ms). */
  readonly budgetMs: number;
  /** The named parameter tensors in the flat vector (per-tensor curvature when there are several). */
  readonly blocks?: readonly Block[];
}

type Extras = Partial<CurvatureSample>;

/** The edge of stability: the limit at lr and the sharpness it is compared with. */
export function edgeFields(sample: CurvatureSample, lr: number, hessian: () => ArrayOperator, ctx: DiagnosticsContext): Extras {
  const optimizer = ctx.optimizer;
  if (!optimizer) return {};
  const limit = optimizer.sharpnessLimit(lr);
  const note = limit === undefined ? 'the optimizer states no stability limit for these hyperparameters (OptimizerRule.stability)' : undefined;
  // The minimised function's λmax: −λmin of the user's f when maximising.
  const plain = { sharpness: ctx.negated ? -sample.lambdaMin : sample.lambdaMax, sharpnessResidual: ctx.negated ? sample.residualMin : sample.residualMax };
  if (!optimizer.preconditioned || limit === undefined) return { ...plain, sharpnessLimit: limit ?? null, ...(note ? { sharpnessLimitNote: note } : {}) };
  const p = optimizer.preconditioner(lr);
  if (!p) return { sharpnessLimit: null, sharpnessLimitNote: 'no preconditioner before the first update (its limit is on λmax(P⁻¹H))' };
  const pre = preconditionedSharpness(hessian(), p, { seed: ctx.seed, budgetMs: ctx.budgetMs, tol: 1e-3 });
  return { sharpness: pre.lambdaMax, sharpnessResidual: pre.residual, sharpnessLimit: limit, preconditionedLambdaMax: pre.lambdaMax };
}

/** Density, trace and (when planned) the diagonal of the user's f. */
export function spectrumFields(n: number, hessian: () => ArrayOperator, ctx: DiagnosticsContext): Extras {
  const withDiagonal = ctx.plan.diagonal && n <= DIAGONAL_MAX;
  const end = Date.now() + ctx.budgetMs;
  const r = spectralDensity(hessian(), n, { diagonal: withDiagonal, seed: ctx.seed, shouldStop: () => Date.now() >= end });
  // Measured on the minimised function: the user's f is its negative when maximising.
  const sign = ctx.negated ? -1 : 1;
  return {
    trace: sign * r.trace,
    traceStdErr: r.traceStdErr,
    traceProbes: r.probes,
    traceMethod: r.method,
    density: { nodes: r.density.nodes.map((v) => sign * v), weights: r.density.weights },
    ...(r.diagonal ? { diagonal: Array.from(r.diagonal, (v) => sign * v), diagonalStdErr: r.diagonalStdErr } : {}),
  };
}

/** λmax and trace of each named tensor's diagonal block (of the minimised function), when there are several. */
export function blockFields(n: number, hessian: () => ArrayOperator, ctx: DiagnosticsContext): Extras {
  if (!ctx.blocks || ctx.blocks.length < 2) return {};
  return { blocks: blockCurvature(hessian(), n, ctx.blocks, { seed: ctx.seed, budgetMs: ctx.budgetMs / ctx.blocks.length }) };
}

/** The gradient-noise scale from the first epoch's full batches (at most NOISE_MAX_BATCHES), or why there is none. */
export function noiseFields(x: tfType.Tensor1D, ctx: DiagnosticsContext): Extras {
  const source = ctx.noise;
  if (!source) return { gradientNoiseNote: 'needs an objective with data and a batchSize smaller than the data set' };
  const batches = Math.min(NOISE_MAX_BATCHES, Math.floor(source.datasetSize / source.batchSize));
  if (batches < JACKKNIFE_MIN_BATCHES) {
    return { gradientNoiseNote: `needs ${JACKKNIFE_MIN_BATCHES} full batches for an error; the data set has ${batches} of ${source.batchSize}` };
  }
  const grads = Array.from({ length: batches }, (_, k) => source.gradientOnBatch(k, x));
  return { gradientNoise: gradientNoise(grads, source.batchSize, source.datasetSize) };
}
