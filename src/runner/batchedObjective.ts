/**
 * The user's objective as a run uses it: on the flat vector, with the mini-batch of the step it is
 * evaluated for (the whole data set after the last step, one fixed batch for landscapes and curvature
 * samples), in the run's sign (−f when maximising: `minimized`, ../core/maximize.ts, from which the
 * gradient, the Hessian-vector product, the loss alone and the compiled path's program all derive), with
 * what it throws turned into a RunFailure at the user's line. The batch lives here and nowhere else:
 * every closure sets it around one call.
 */
import type * as tfType from '@tensorflow/tfjs';
import { hessianVectorProduct } from '../core/curvature/hvp';
import { evaluatorOf } from '../core/evaluate';
import { minimizedObjective } from '../core/maximize';
import type { Evaluation } from '../core/optimizer';
import type { ParamLayout } from '../core/paramLayout';
import { withSecondOrder } from '../core/tfjs/secondOrderGradients';
import { releaseAbandonedTape } from './abandonedTape';
import { disposeBatch, type Batch, type Dataset } from './dataset';
import { flatObjective, objectiveFailure, type ObjectiveSite } from './objectiveFunction';
import type { UserObjective } from './objectives';

export interface BatchedObjective {
  /** The objective on the flat vector, reading the batch set now (undefined without data). */
  readonly f: (x: tfType.Tensor1D) => tfType.Scalar;
  /** The user's function on its own parameters with the batch set now (the landscape's point-by-point form). */
  readonly raw: (params: Parameters<UserObjective>[0]) => unknown;
  /** Loss and gradient of `f` (not negated). */
  readonly unsigned: ReturnType<typeof evaluatorOf>;
  /** Loss and gradient of `minimized`, on whatever batch is set. */
  readonly signed: ReturnType<typeof evaluatorOf>;
  /** `f` in the run's sign: what the optimizer minimises, the compiled path compiles and curvature samples differentiate. */
  readonly minimized: (x: tfType.Tensor1D) => tfType.Scalar;
  /** Loss and gradient at x on step's batch. */
  evaluate(x: tfType.Tensor1D, step: number): Evaluation;
  /** The loss alone at an optimizer's evaluation point, in the sign the records use. */
  lossOnly(x: tfType.Tensor1D, step: number): tfType.Scalar;
  hvp(x: tfType.Tensor1D, v: tfType.Tensor1D, step: number): tfType.Tensor1D;
  /** Runs `body` on one fixed batch (the first of epoch 0), so landscape points and curvature samples compare. */
  withFixedBatch<T>(body: () => Promise<T>): Promise<T>;
  /** Sets the batch for the calls that follow (the compiled path and the diagnostics pick their own). */
  setBatch(batch: Batch | undefined): void;
}

export function batchedObjective(
  fn: UserObjective, layout: ParamLayout, site: ObjectiveSite, dataset: Dataset | undefined, steps: number, maximize: boolean, tf: typeof tfType,
): BatchedObjective {
  let batch: Batch | undefined;
  const f = flatObjective(fn, layout, site, () => batch, tf);
  const unsigned = evaluatorOf(f);
  const minimized = minimizedObjective(f, maximize);
  const signed = maximize ? evaluatorOf(minimized) : unsigned;
  /** Sets the step's batch (the full data set after the last step) around `body`. */
  const withBatch = <T>(step: number, during: string, body: () => T): T => {
    if (dataset) batch = step >= steps ? dataset.all() : dataset.batch(step, tf);
    try {
      return body();
    } catch (e) {
      releaseAbandonedTape(tf);
      throw objectiveFailure(e, site, during);
    } finally {
      if (batch) disposeBatch(batch);
      batch = undefined;
    }
  };
  return {
    f, unsigned, signed, minimized,
    raw: (params) => fn(params, batch),
    evaluate: (x, step) => withBatch(step, `at step ${step}`, () => signed(x)),
    lossOnly: (x, step) => withBatch(step, `at the evaluation point at step ${step}`, () => tf.tidy(() => minimized(x))),
    hvp: (x, v, step) =>
      withBatch(step, `in a Hessian-vector product at step ${step}`, () =>
        withSecondOrder(() => hessianVectorProduct(minimized, x, v)),
      ),
    async withFixedBatch(body) {
      if (dataset) batch = dataset.batch(0, tf);
      try {
        return await body();
      } finally {
        if (batch) disposeBatch(batch);
        batch = undefined;
      }
    },
    setBatch: (b) => {
      batch = b;
    },
  };
}
