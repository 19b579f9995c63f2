import * as tf from '@tensorflow/tfjs';
import { evaluatorOf } from '../../../src/core/evaluate';
import { hessianVectorProduct, type FlatObjective } from '../../../src/core/curvature/hvp';
import type { Optimizer, OptimizerState, StepResult } from '../../../src/core/optimizer';

/** One update at x: evaluates f there, gives the optimizer evaluate and hvp closures, frees the evaluation. */
export function stepAt(
  optimizer: Optimizer,
  f: FlatObjective,
  x: tf.Tensor1D,
  lr: number,
  state: OptimizerState,
  step = 0,
): StepResult<OptimizerState> {
  const evaluate = evaluatorOf(f);
  const { loss, grad } = evaluate(x);
  const result = optimizer.update(
    { params: x, loss, grad, lr, step, evaluate, hvp: (y, v) => hessianVectorProduct(f, y, v) },
    state,
  );
  tf.dispose([loss, grad]);
  return result;
}

export interface Trace {
  /** Parameters after each update. */
  readonly xs: number[][];
  readonly infos: NonNullable<StepResult<OptimizerState>['info']>[];
  readonly extraEvals: number[];
}

/** Runs `steps` updates from x0 and reads every point back (tests only). Leaves no tensor behind. */
export function runSecondOrder(optimizer: Optimizer, f: FlatObjective, x0: number[], lr: number, steps: number): Trace {
  let x = tf.tensor1d(x0);
  let state = optimizer.init(x);
  const trace: Trace = { xs: [], infos: [], extraEvals: [] };
  for (let k = 0; k < steps; k++) {
    const r = stepAt(optimizer, f, x, lr, state, k);
    x.dispose();
    x = r.params;
    state = r.state;
    trace.xs.push(Array.from(x.dataSync()));
    trace.infos.push(r.info ?? {});
    trace.extraEvals.push(r.extraEvals);
  }
  optimizer.disposeState(state);
  x.dispose();
  return trace;
}

/** f(x) = ½xᵀAx − bᵀx for a dense symmetric A (row-major), as a tf objective. */
export function quadraticObjective(a: number[][], b: number[]): FlatObjective {
  return (x) =>
    tf.tidy(() => {
      const ax = tf.matMul(tf.tensor2d(a), tf.reshape(x, [-1, 1])).reshape([-1]);
      return tf.sub(tf.mul(0.5, tf.dot(x, ax)), tf.dot(x, tf.tensor1d(b))) as tf.Scalar;
    });
}

/** Rosenbrock in n dimensions, Σ 100(x_{i+1} − x_i²)² + (1 − x_i)². */
export const rosenbrockObjective: FlatObjective = (x) =>
  tf.tidy(() => {
    const n = x.size;
    const a = x.slice(0, n - 1);
    const b = x.slice(1, n - 1);
    return tf.sum(tf.add(tf.mul(100, tf.square(tf.sub(b, tf.square(a)))), tf.square(tf.sub(1, a)))) as tf.Scalar;
  });

/** Plain-number helpers for closed forms. */
export const dot = (u: readonly number[], v: readonly number[]): number => u.reduce((s, ui, i) => s + ui * v[i], 0);
export const matVec = (a: readonly number[][], v: readonly number[]): number[] => a.map((row) => dot(row, v));
