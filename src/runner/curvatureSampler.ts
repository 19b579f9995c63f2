/**
 * `--curvature-every K`: a curvature sample every K updates and at the final
 * point, on the function the optimizer minimises (−f when maximising).
 * Stochastic objectives are measured on one fixed batch so samples compare.
 * An op without a usable second derivative turns sampling off for the rest of
 * the run (the run itself goes on) and says why.
 */
import type * as tfType from '@tensorflow/tfjs';
import { estimateCurvature } from '../core/curvature/estimateCurvature';
import type { FlatObjective } from '../core/curvature/hvp';
import type { Evaluate } from '../core/optimizer';
import type { CurvatureSample } from '../protocol/runner';

export interface CurvatureSampler {
  /** Samples at x (the parameters before update `step`) when due; `force` for the final point. */
  maybeSample(step: number, x: tfType.Tensor1D, lr: number, force?: boolean): Promise<void>;
  /** Why sampling stopped, if it did. */
  readonly problem: string | undefined;
}

export function curvatureSampler(
  every: number,
  f: FlatObjective,
  evaluate: Evaluate,
  /** Runs `body` with the fixed curvature batch in place (stochastic objectives). */
  withFixedBatch: <T>(body: () => Promise<T>) => Promise<T>,
  seed: number,
  emit: (sample: CurvatureSample) => void,
): CurvatureSampler {
  let problem: string | undefined;
  let samples = 0;
  let lastStep = -1;
  return {
    get problem() {
      return problem;
    },
    async maybeSample(step, x, lr, force = false) {
      if (every <= 0 || problem !== undefined || step === lastStep) return;
      if (!force && step % every !== 0) return;
      lastStep = step;
      try {
        const sample = await withFixedBatch(async () => {
          const { loss, grad } = evaluate(x);
          const normT = grad.norm();
          const gradNorm = (await normT.data())[0];
          normT.dispose();
          loss.dispose();
          grad.dispose();
          // The first sample checks one HVP against finite differences (a mismatch is reported, not plotted silently).
          return estimateCurvature(f, x, { gradNorm, lr, step }, { seed, selfCheck: samples === 0 });
        });
        samples += 1;
        emit(sample);
      } catch (e) {
        problem = `curvature sampling stopped at step ${step}: ${(e as Error).message}`;
      }
    },
  };
}
