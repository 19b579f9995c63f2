import * as tf from '@tensorflow/tfjs';
import type { Evaluation, Optimizer, OptimizerState } from '../optimizer';
import type { ArrayObjective, ArrayOptimizer, ArrayStepInput, ArrayStepResult } from './contracts';
import type { TensorCopies } from './tensorCopies';

/**
 * The objective and optimizer of a run on tensors as the training loop's array contracts (../minimize.ts
 * puts them together). Every backend in use keeps tensors in CPU memory, so a read is a copy of n floats;
 * `TensorCopies` spares the writes back: the parameters an update returns and the gradient the objective
 * gave are handed to the next tensor call as the tensors they came from.
 */

export interface TensorObjective {
  evaluate(x: tf.Tensor1D, step: number): Evaluation;
  loss?(x: tf.Tensor1D, step: number): tf.Scalar;
}

/** A number from a scalar tensor, which is then disposed. */
function scalarValue(t: tf.Tensor): number {
  const value = t.dataSync()[0];
  t.dispose();
  return value;
}

/**
 * From this length on, norms are summed by the backend (two kernels and a read of one number) rather than in a
 * JS pass over the array: a kernel costs about as much as a JS pass over a few thousand floats (`npm run bench`'s
 * tensor rows at n = 2 and 1e5 are the two sides).
 */
const BACKEND_SUM_FROM = 4096;

/** ‖v‖² on the backend (float32, as the tensor kernels sum). */
function squaredNormOnBackend(v: tf.Tensor): number {
  return scalarValue(tf.tidy(() => tf.sum(tf.square(v))));
}

/** ‖v‖² summed in float64. */
function squaredNorm(v: Float32Array): number {
  let sq = 0;
  for (let i = 0; i < v.length; i++) sq += v[i] * v[i];
  return sq;
}

export function tensorObjectiveOnArrays(f: TensorObjective, size: number, tensors: TensorCopies): ArrayObjective {
  const loss = f.loss;
  let last: { grad: tf.Tensor1D; values: Float32Array } | undefined;
  return {
    size,
    valueAndGrad(x, step, gradOut) {
      const { loss: value, grad } = tensors.use(x, (xt) => f.evaluate(xt, step));
      gradOut.set(grad.dataSync());
      tensors.set(gradOut, grad);
      last = { grad, values: gradOut };
      return scalarValue(value);
    },
    lastGradNormSq: () => {
      if (!last) return NaN;
      return size >= BACKEND_SUM_FROM && !last.grad.isDisposed ? squaredNormOnBackend(last.grad) : squaredNorm(last.values);
    },
    ...(loss ? { value: (x: Float32Array, step: number) => scalarValue(tensors.use(x, (xt) => loss(xt, step))) } : {}),
  };
}

/** What the tensor optimizer's state is wrapped in: the state, and the array holding the parameters it was last given or gave. */
interface Holder {
  state: OptimizerState;
  params: Float32Array;
}

/** `out` ← `tensor`'s values, kept as its tensor. */
function writeBack(tensors: TensorCopies, out: Float32Array, tensor: tf.Tensor1D): void {
  out.set(tensor.dataSync());
  tensors.set(out, tensor);
}

/** ‖a − b‖² summed in float64. */
function squaredDistance(a: Float32Array, b: Float32Array): number {
  let sq = 0;
  for (let i = 0; i < a.length; i++) sq += (a[i] - b[i]) * (a[i] - b[i]);
  return sq;
}

/**
 * An optimizer on tensors as an ArrayOptimizer. Its line searches and second-order products get the
 * run's tensor closures (`evaluate` and `hvp` at the update's step), as they did in a loop of their own.
 */
export function tensorOptimizerOnArrays(
  optimizer: Optimizer,
  objective: { evaluate: TensorObjective['evaluate']; hvp?(x: tf.Tensor1D, v: tf.Tensor1D, step: number): tf.Tensor1D },
  tensors: TensorCopies,
): ArrayOptimizer<Holder> {
  const hvpAt = (step: number) => (y: tf.Tensor1D, v: tf.Tensor1D) => {
    if (!objective.hvp) throw new Error(`optimizer '${optimizer.id}' needs Hessian-vector products; none were given`);
    return objective.hvp(y, v, step);
  };
  const update = (input: ArrayStepInput, holder: Holder): ArrayStepResult => {
    const { step } = input;
    // The loss as a tensor only for an update that reads it (line searches): most never do.
    let loss: tf.Scalar | undefined;
    const result = tensors.use(input.params, (params) => tensors.use(input.grad, (grad) => {
      try {
        const out = optimizer.update({
          params, grad, lr: input.lr, step, evaluate: (y) => objective.evaluate(y, step), hvp: hvpAt(step),
          get loss() {
            // Kept: first read inside the update's own tidy, it must outlive it.
            return (loss ??= tf.keep(tf.scalar(input.loss)));
          },
        }, holder.state);
        // The loop owns what comes back; the input stays the loop's.
        return out.params === params ? { ...out, params: params.clone() } : out;
      } finally {
        loss?.dispose();
      }
    }));
    holder.state = result.state;
    const updateNormSq = input.params.length >= BACKEND_SUM_FROM
      ? tensors.use(input.params, (params) => scalarValue(tf.tidy(() => tf.sum(tf.square(tf.sub(result.params, params))))))
      : undefined;
    writeBack(tensors, input.paramsOut, result.params);
    holder.params = input.paramsOut;
    return {
      updateNormSq: updateNormSq ?? squaredDistance(input.paramsOut, input.params),
      extraEvals: result.extraEvals,
      ...(result.info ? { info: result.info } : {}),
    };
  };
  const { evaluationPoint, inspect } = optimizer;
  return {
    init(params) {
      // The first evaluation and update get this tensor instead of copies of their own.
      tensors.set(params, tf.tensor1d(params.slice()));
      return { state: tensors.use(params, (p) => optimizer.init(p)), params };
    },
    update,
    release: (holder) => optimizer.disposeState(holder.state),
    ...(evaluationPoint
      ? {
          evaluationPoint: (holder: Holder, out: Float32Array) => {
            const point = tensors.use(holder.params, (p) => {
              const at = evaluationPoint(p, holder.state);
              return at === p ? p.clone() : at;
            });
            writeBack(tensors, out, point);
          },
        }
      : {}),
    ...(inspect ? { inspect: (holder: Holder) => readViews(holder.state, inspect(holder.state)) } : {}),
  };
}

/** The views as arrays; those that are new tensors (not the state's own) are disposed. */
function readViews(state: OptimizerState, views: Record<string, tf.Tensor>): Record<string, Float32Array> {
  const own = new Set(Object.values(state));
  const arrays: Record<string, Float32Array> = {};
  for (const [key, view] of Object.entries(views)) {
    arrays[key] = Float32Array.from(view.dataSync());
    if (!own.has(view)) view.dispose();
  }
  return arrays;
}
