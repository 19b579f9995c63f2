import * as tf from '@tensorflow/tfjs';
import type { ArrayObjective, ArrayOptimizer, ArrayStepResult } from '../../../src/core/arrays/contracts';
import type { FlatObjective } from '../../../src/core/curvature/hvp';
import { evaluatorOf } from '../../../src/core/evaluate';

/** A tf objective as an ArrayObjective: tf.valueAndGrad on the current backend, read back into the arrays. */
export function tfArrayObjective(f: FlatObjective, size: number): ArrayObjective {
  const evaluate = evaluatorOf(f);
  return {
    size,
    valueAndGrad: (x, _step, gradOut) => {
      const xt = tf.tensor1d(x);
      const { loss, grad } = evaluate(xt);
      const value = loss.dataSync()[0];
      gradOut.set(grad.dataSync());
      tf.dispose([xt, loss, grad]);
      return value;
    },
  };
}

export interface ArrayTrace {
  /** Loss before each update. */
  readonly losses: number[];
  /** Parameters after each update. */
  readonly xs: number[][];
  readonly infos: NonNullable<ArrayStepResult['info']>[];
  readonly extraEvals: number[];
  /** updateNormSq as returned, and as measured from the parameters. */
  readonly updateNormSq: number[];
  readonly measuredNormSq: number[];
}

/**
 * The plain-JS loop as the fast path runs it: one evaluation per update,
 * double-buffered parameters, the line search's evaluations at the same step.
 * Reads every point (tests only).
 */
export function runArrays(optimizer: ArrayOptimizer, objective: ArrayObjective, x0: readonly number[], lr: number, steps: number): ArrayTrace {
  let x = Float32Array.from(x0);
  let next = new Float32Array(x.length);
  const grad = new Float32Array(x.length);
  const state = optimizer.init(x);
  const trace: ArrayTrace = { losses: [], xs: [], infos: [], extraEvals: [], updateNormSq: [], measuredNormSq: [] };
  for (let step = 0; step < steps; step++) {
    const loss = objective.valueAndGrad(x, step, grad);
    const r = optimizer.update(
      { params: x, paramsOut: next, grad, loss, lr, step, evaluate: (y, g) => objective.valueAndGrad(y, step, g) },
      state,
    );
    trace.losses.push(loss);
    trace.xs.push(Array.from(next));
    trace.infos.push(r.info ?? {});
    trace.extraEvals.push(r.extraEvals);
    trace.updateNormSq.push(r.updateNormSq);
    trace.measuredNormSq.push(next.reduce((sum, v, i) => sum + (v - x[i]) ** 2, 0));
    [x, next] = [next, x];
  }
  return trace;
}
