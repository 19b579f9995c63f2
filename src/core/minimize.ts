import * as tf from '@tensorflow/tfjs';
import { arrayFormOnly } from './arrays/arraysOnTensors';
import { minimizeArrays } from './arrays/minimizeArrays';
import { TensorCopies } from './arrays/tensorCopies';
import { tensorObjectiveOnArrays, tensorOptimizerOnArrays } from './arrays/tensorsOnArrays';
import type { Evaluation, Optimizer } from './optimizer';
import type { MinimizeResult, StepMetrics } from './loopRecords';
import type { Schedule } from './schedule';

export interface MinimizeOptions {
  /** Loss and gradient at x for update number `step` (stochastic objectives pick the batch from it). */
  evaluate(x: tf.Tensor1D, step: number): Evaluation;
  x0: tf.Tensor1D;
  optimizer: Optimizer;
  schedule: Schedule;
  steps: number;
  /** The loss alone at x for update `step`: the records at the optimizer's evaluation point (absent: `evaluate`'s loss). */
  loss?(x: tf.Tensor1D, step: number): tf.Scalar;
  /** Hessian-vector product at x for update `step` (second-order methods; counts as one evaluation). */
  hvp?(x: tf.Tensor1D, v: tf.Tensor1D, step: number): tf.Tensor1D;
  /** Rewrites the gradient the optimizer sees (clipping, noise: ./gradientTransforms.ts), in place; records keep the raw gradient's norm. */
  transformGradient?(grad: Float32Array, step: number, lr: number): void;
  /** Reads the raw gradient before any transform (per-step diagnostics); unlike a transform it keeps the gradient's tensor. */
  observeGradient?(grad: Float32Array, step: number): void;
  /** Projection onto the feasible set, applied after every update. */
  project?(x: tf.Tensor1D): tf.Tensor1D;
  /** Receives metrics in batches, in step order. */
  onMetrics?(batch: readonly StepMetrics[]): void;
  /** Called between steps; return true to stop ('cancelled'). */
  isCancelled?(): boolean;
  /** Wall-clock limit in ms; the run ends with 'time-limit'. */
  timeLimitMs?: number;
  /** Read metrics back at least this often (ms): bounds cancellation latency. */
  flushIntervalMs?: number;
  /** Also read back each record's parameters (small problems: the dashboard draws the path); same single read per batch. */
  recordParams?: boolean;
  /** With recordParams: also read back the optimizer's first moment and effective step every this many steps (its `inspect`). */
  stateEvery?: number;
  /** Hook between steps (curvature sampling); receives the current parameters, also as the loop's array (both the loop's: do not keep or dispose). */
  afterStep?(step: number, x: tf.Tensor1D, values: Float32Array): Promise<void> | void;
  /** Whether afterStep runs after update `step` (absent: after every update). */
  afterStepDue?(step: number): boolean;
}

/**
 * The training loop on tensors: the objective's `evaluate` (and `loss`, `hvp`, `project`) and the
 * optimizer on tensors run in the one loop on arrays (./arrays/minimizeArrays.ts) through
 * ./arrays/tensorsOnArrays.ts, so every run has the same records, statuses, gradient transforms and
 * divergence handling; an optimizer written only on arrays (L-BFGS) runs there as it is.
 */
export async function minimize(o: MinimizeOptions): Promise<MinimizeResult> {
  const tensors = new TensorCopies();
  const { project, afterStep, transformGradient, observeGradient } = o;
  try {
    const result = await minimizeArrays({
      ...o,
      objective: tensorObjectiveOnArrays(o, o.x0.size, tensors),
      optimizer: arrayFormOnly(o.optimizer) ?? tensorOptimizerOnArrays(o.optimizer, o, tensors),
      x0: Float32Array.from(o.x0.dataSync()),
      // The transform writes the gradient array: its tensor is then stale (an observer leaves both as they are).
      transformGradient: (transformGradient || observeGradient) && ((grad, step, lr) => {
        observeGradient?.(grad, step);
        if (!transformGradient) return;
        tensors.forget(grad);
        transformGradient(grad, step, lr);
      }),
      project: project && ((x) => {
        const projected = tensors.use(x, (xt) => {
          const p = project(xt);
          return p === xt ? undefined : p;
        });
        if (projected) {
          x.set(projected.dataSync());
          tensors.set(x, projected);
        }
      }),
      afterStep: afterStep && ((step, x) => tensors.use(x, (xt) => afterStep(step, xt, x))),
    });
    return { ...result, params: tf.tensor1d(result.params) };
  } finally {
    tensors.dispose();
  }
}
