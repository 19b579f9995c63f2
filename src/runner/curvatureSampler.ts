/**
 * Curvature samples during a run. `--curvature-every K`: every K updates and at
 * the final point. 'auto': at step 0, at the final point, and in between once
 * training since the last sample took 9× that sample's cost and the curvature
 * time so far, plus the expected cost of this sample and of the final one,
 * stays within a ninth of the training time, so curvature
 * takes about a tenth of a long run whatever the model size (a fixed K costs
 * 20–60% at n = 1e3–1e5 with K = 1000; bench/curvature.ts).
 *
 * Measured on the function the optimizer minimises (−f when maximising) and
 * reported for the user's f (estimateCurvature's `negated`). Stochastic
 * objectives are measured on one fixed batch so samples compare. The first
 * sample checks one HVP against finite differences; a mismatch, or an op
 * without a usable second derivative, turns sampling off for the rest of the
 * run (the run itself goes on) and is reported as a 'second-derivative' error
 * instead of a curve.
 */
import type * as tfType from '@tensorflow/tfjs';
import { compileHessian, type CompiledHessian } from '../core/compiled/compileHessianOperator';
import { NotCompilable } from '../core/compiled/program';
import { estimateCurvature } from '../core/curvature/estimateCurvature';
import { hessianOperator, onArrays, type ArrayOperator, type FlatObjective } from '../core/curvature/hvp';
import type { Evaluate } from '../core/optimizer';
import type { CurvatureSample, RunError } from '../protocol/runner';
import { blockFields, edgeFields, noiseFields, spectrumFields, type DiagnosticsContext } from './sampleDiagnostics';

/** 'auto' keeps curvature within this share of the run's time. */
export const AUTO_CURVATURE_SHARE = 0.1;

export interface CurvatureSamplerOptions {
  /** Every K steps (0 = never), or 'auto' (a time budget). */
  cadence: number | 'auto';
  /** The function the optimizer minimises. */
  f: FlatObjective;
  /** f is −g for the user's maximised g: report g's curvature. */
  negated: boolean;
  /** Gradient of f (for the gradient norm that classification needs). */
  evaluate: Evaluate;
  /** Runs `body` with the fixed curvature batch in place (stochastic objectives). */
  withFixedBatch: <T>(body: () => Promise<T>) => Promise<T>;
  seed: number;
  emit: (sample: CurvatureSample) => void;
  /** Milliseconds; performance.now by default (tests pass a fake clock). */
  now?: () => number;
  /**
   * Compile the Hessian-vector product to plain JS at the first sample and use it for every
   * sample (compiled runs); when it does not compile, TensorFlow.js's is used as before.
   */
  compileHessian?: boolean;
  /** What samples carry beyond the spectrum's ends, and 'auto''s time share (src/runner/diagnosticsPlan.ts). */
  diagnostics?: DiagnosticsContext;
}

export interface CurvatureSampler {
  /** Samples at x (the parameters before update `step`) when due; `final` for the last point. */
  maybeSample(step: number, x: tfType.Tensor1D, lr: number, final?: boolean): Promise<void>;
  /** Whether maybeSample(step, …, final) would sample (the plain-JS loop makes a tensor of x only then). */
  isDue(step: number, final?: boolean): boolean;
  /** Why sampling stopped, if it did. */
  readonly problem: RunError | undefined;
  /** Milliseconds spent sampling so far. */
  readonly spentMs: number;
}

const SECOND_DERIVATIVE = /second derivative not supported for op/;
/**
 * Lanczos runs until both ends converge or the Krylov space is exhausted, but no sample may hold the run up
 * longer than this: past it the sample reports "not converged" and κ as a bound.
 */
export const CURVATURE_SAMPLE_BUDGET_MS = 2000;

export function curvatureSampler(options: CurvatureSamplerOptions): CurvatureSampler {
  const { f, emit } = options;
  // A diagnostics preset samples 'auto' unless the request set a cadence (diagnosticsPlan.ts).
  const cadence = options.diagnostics?.plan.cadence ?? options.cadence;
  const now = options.now ?? (() => performance.now());
  const origin = now();
  const share = options.diagnostics?.plan.share ?? AUTO_CURVATURE_SHARE;
  const ratio = share / (1 - share);
  let problem: RunError | undefined;
  let samples = 0;
  let lastStep = -1;
  let spentMs = 0;
  let lastCostMs = 0;
  let trainingAtLastMs = 0;
  const compiledAt = lazyCompiledHessian(f, options.compileHessian === true);

  const due = (step: number, final: boolean): boolean => {
    if (final) return true;
    if (cadence === 'auto') {
      if (samples === 0) return step === 0;
      const trainingMs = now() - origin - spentMs;
      // At least 9× the last sample's cost of training since it (no bursts after a slow start), and
      // this sample and the final one, at the last sample's cost, must fit the budget of the whole run.
      return trainingMs - trainingAtLastMs >= lastCostMs / ratio && spentMs + 2 * lastCostMs <= ratio * trainingMs;
    }
    return step % cadence === 0;
  };

  const sample = (step: number, x: tfType.Tensor1D, lr: number): Promise<CurvatureSample> => measure(options, compiledAt, step, x, lr, samples === 0);

  return {
    get problem() {
      return problem;
    },
    get spentMs() {
      return spentMs;
    },
    isDue: (step, final = false) => cadence !== 0 && problem === undefined && step !== lastStep && due(step, final),
    async maybeSample(step, x, lr, final = false) {
      if (cadence === 0 || problem !== undefined || step === lastStep || !due(step, final)) return;
      lastStep = step;
      const start = now();
      try {
        const s = await sample(step, x, lr);
        if (s.hvpMismatch !== undefined) {
          problem = { kind: 'second-derivative', message: `curvature sampling stopped at step ${step}: ${s.hvpMismatch}` };
        } else {
          samples += 1;
          const sampleMs = now() - start;
          emit(options.diagnostics ? { ...s, sampleMs, costShare: (spentMs + sampleMs) / Math.max(now() - origin, Number.MIN_VALUE) } : s);
        }
      } catch (e) {
        const message = (e as Error).message;
        problem = { kind: SECOND_DERIVATIVE.test(message) ? 'second-derivative' : 'objective', message: `curvature sampling stopped at step ${step}: ${message}` };
      } finally {
        lastCostMs = now() - start;
        spentMs += lastCostMs;
        trainingAtLastMs = now() - origin - spentMs;
      }
    },
  };
}

/** The compiled Hessian-vector product, tried once at the first sample; undefined when not asked for or not compilable. */
function lazyCompiledHessian(f: FlatObjective, enabled: boolean): (x: tfType.Tensor1D) => CompiledHessian | undefined {
  /** undefined: not tried yet; null: did not compile. */
  let compiled: CompiledHessian | null | undefined;
  return (x) => {
    if (!enabled) return undefined;
    if (compiled === undefined) {
      try {
        compiled = compileHessian(f, x);
      } catch (e) {
        if (!(e instanceof NotCompilable)) throw e;
        compiled = null;
      }
    }
    return compiled ?? undefined;
  };
}

/** One sample at x on the fixed batch: the spectrum's ends, then what the diagnostics plan adds. */
async function measure(options: CurvatureSamplerOptions, compiledAt: (x: tfType.Tensor1D) => CompiledHessian | undefined,
  step: number, x: tfType.Tensor1D, lr: number, first: boolean): Promise<CurvatureSample> {
  const { f, negated, evaluate, seed } = options;
  const s = await options.withFixedBatch(async () => {
    const { loss, grad } = evaluate(x);
    const normT = grad.norm();
    const gradNorm = (await normT.data())[0];
    normT.dispose();
    loss.dispose();
    grad.dispose();
    const compiled = compiledAt(x);
    const budgetMs = CURVATURE_SAMPLE_BUDGET_MS;
    const ends = await estimateCurvature(f, x, { gradNorm, lr, step }, { seed, negated, budgetMs, selfCheck: first, ...(compiled ? { hessianAt: compiled.at, hessianArraysAt: compiled.arraysAt } : {}) });
    const ctx = options.diagnostics;
    if (!ctx || ends.hvpMismatch !== undefined) return ends;
    // The minimised function's Hessian on arrays (the compiled one when there is one), made once per sample.
    let operator: ArrayOperator | undefined;
    const hessian = () => (operator ??= compiled ? compiled.arraysAt(x.dataSync() as Float32Array) : onArrays(hessianOperator(f, x)));
    return {
      ...ends,
      ...(ctx.plan.edge ? edgeFields(ends, lr, hessian, ctx) : {}),
      ...(ctx.plan.spectrum ? spectrumFields(x.size, hessian, ctx) : {}),
      ...(ctx.plan.blocks ? blockFields(x.size, hessian, ctx) : {}),
    };
  });
  return options.diagnostics?.plan.noise ? { ...s, ...noiseFields(x, options.diagnostics) } : s;
}
