/**
 * The final point of a compiled run with mini-batches, measured on the whole data set with
 * TensorFlow.js instead of a program compiled for that shape. It is evaluated once: compiling it
 * costs a TensorFlow.js evaluation at that shape anyway (the trace, which is the check's reference),
 * then fusion, the WebAssembly module, a checked run and the program's memory, about twice one
 * evaluation's cost (the tiny transformer's 256 windows: bench/README.md, issue 20). A sweep's
 * kept objective (sweepReuse.ts) evaluates that shape once per configuration and keeps compiling it.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { Batch, Dataset } from './dataset';

export interface FinalOnTensors {
  /** Loss at x on every sample; the gradient into gradOut. */
  valueAndGrad(x: Float32Array, gradOut: Float32Array): number;
  /** ‖∇f‖² of the last evaluation, summed in float64. */
  readonly gradNormSq: number;
}

export function finalOnTensors(f: (x: tfType.Tensor1D) => tfType.Scalar, setBatch: (batch: Batch | undefined) => void, dataset: Dataset, tf: typeof tfType): FinalOnTensors {
  const valueAndGrad = tf.valueAndGrad(f);
  const state = {
    gradNormSq: NaN,
    valueAndGrad(x: Float32Array, gradOut: Float32Array): number {
      const all = dataset.all();
      try {
        return tf.tidy(() => {
          setBatch(all);
          try {
            const { value, grad } = valueAndGrad(tf.tensor1d(x));
            gradOut.set(grad.dataSync());
            let sum = 0;
            for (let i = 0; i < gradOut.length; i++) sum += gradOut[i] * gradOut[i];
            state.gradNormSq = sum;
            return value.dataSync()[0];
          } finally {
            setBatch(undefined);
          }
        });
      } finally {
        tf.dispose(all instanceof tf.Tensor ? all : Object.values(all));
      }
    },
  };
  return state;
}
