import * as tf from '@tensorflow/tfjs';
import type { HpRecord } from '../hyperparams';
import type { Optimizer, OptimizerState, StepInput, StepResult } from '../optimizer';
import type { ArrayOptimizer } from './contracts';

/** Array forms by the tensor update made from them: an optimizer whose update is one of these is its array form. */
const ARRAY_FORMS = new WeakMap<Optimizer['update'], ArrayOptimizer>();

/**
 * The optimizer's array form when that is its only implementation and its update is not wrapped: the loop then
 * runs the array form as it is, with no tensor round trip (a wrapped update, which counts or watches, still runs).
 */
export function arrayFormOnly(optimizer: Optimizer): ArrayOptimizer | undefined {
  return ARRAY_FORMS.get(optimizer.update);
}

/**
 * An optimizer written once, on plain arrays, as an Optimizer on tensors (for callers outside the training loop, which runs
 * the array form itself): each update reads the
 * parameters and gradient out of their tensors, runs the array form and hands back a tensor. Every backend
 * in use keeps tensors in CPU memory, so the copies cost about as much as one elementwise op over n, beside
 * a gradient's two dozen; line searches evaluate through the tensor loop's own `evaluate`.
 * For methods whose work is host-side arithmetic on vectors (L-BFGS's two-loop recursion and line search):
 * one implementation instead of a tensor twin that had to round as this one does.
 */
export function arraysOnTensors<S>(
  id: string,
  hp: Readonly<HpRecord>,
  arrays: ArrayOptimizer<S>,
): Optimizer {
  const inspect = arrays.inspect;
  const update = (input: StepInput, state: OptimizerState): StepResult<OptimizerState> => {
    const params = Float32Array.from(input.params.dataSync());
    const grad = Float32Array.from(input.grad.dataSync());
    const paramsOut = new Float32Array(params.length);
    const evaluate = (x: Float32Array, gradOut: Float32Array): number => {
      const at = tf.tensor1d(x);
      const { loss, grad: g } = input.evaluate(at);
      at.dispose();
      gradOut.set(g.dataSync());
      const value = loss.dataSync()[0];
      tf.dispose([loss, g]);
      return value;
    };
    const result = arrays.update(
      { params, grad, paramsOut, loss: input.loss.dataSync()[0], lr: input.lr, step: input.step, evaluate },
      state as unknown as S,
    );
    return { params: tf.tensor1d(paramsOut), state, extraEvals: result.extraEvals, ...(result.info ? { info: result.info } : {}) };
  };
  ARRAY_FORMS.set(update, arrays as ArrayOptimizer);
  return {
    id,
    hp,
    init: (params) => arrays.init(Float32Array.from(params.dataSync())) as unknown as OptimizerState,
    update,
    // The state is plain arrays: nothing to dispose.
    disposeState: () => undefined,
    ...(inspect ? { inspect: (state: OptimizerState) => Object.fromEntries(Object.entries(inspect(state as unknown as S)).map(([k, v]) => [k, tf.tensor1d(v)])) } : {}),
    arrays: arrays as ArrayOptimizer,
  };
}
