/**
 * The step-size gauge's far end on mini-batches: the loss at the parameters after update k and its gradient's
 * dot product with the step d, both on update k's own batch, as Cockpit evaluates both ends of a step on one
 * batch. Then α describes the step on the data it was taken for, not that step mixed with the next batch's
 * noise. It costs one more evaluation on a measured step (every ⌈steps/1000⌉-th), not counted in `evals`.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { ArrayObjective } from '../core/arrays/contracts';
import { dotArrays } from '../core/blockNorms';
import type { Evaluation } from '../core/optimizer';

/** f_B(x_{k+1}) and ∇f_B(x_{k+1})·d on update k's batch B, in the run's sign (as the records' losses). */
export interface FarEnd {
  readonly loss: number;
  readonly dot: number;
}

/** The far end at x (the parameters after update `step`) along d; x as the loop's path holds it. */
export type FarEndProbe<X> = (x: X, step: number, d: Float32Array) => FarEnd;

/** On the compiled path: the objective's own valueAndGrad at `step` (its batch), into a gradient buffer kept here. */
export function farEndOnArrays(objective: ArrayObjective): FarEndProbe<Float32Array> {
  const grad = new Float32Array(objective.size);
  return (x, step, d) => {
    const loss = objective.valueAndGrad(x, step, grad);
    return { loss, dot: dotArrays(grad, d) };
  };
}

/** On tensors: the run's evaluate at `step`, the dot product summed by the backend; one read of two numbers, no vector read back. */
export function farEndOnTensors(evaluate: (x: tfType.Tensor1D, step: number) => Evaluation, tf: typeof tfType): FarEndProbe<tfType.Tensor1D> {
  return (x, step, d) => {
    const both = tf.tidy(() => {
      const { loss, grad } = evaluate(x, step);
      return tf.stack([loss, tf.dot(grad, tf.tensor1d(d))]);
    });
    const [loss, dot] = both.dataSync();
    both.dispose();
    return { loss, dot };
  };
}
