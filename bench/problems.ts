import * as tf from '@tensorflow/tfjs';
import type { ArrayInput, TensorObjective } from '../src/core/compiled/compileValueAndGrad';
import type { FlatObjective } from '../src/core/curvature/hvp';
import { mlpFeature, mlpInitWeight, mlpTargetWeight } from './workloads';

/** The MLP workload's data set and objective (two tanh hidden layers, MSE on one batch). */
export interface MlpProblem {
  readonly size: number;
  readonly x0: Float32Array;
  /** Loss on the batch update `step` uses (torch's side takes the same rows). */
  objective(step: number): FlatObjective;
  /** The same loss with the batch as inputs [xb, yb] (how the runner passes mini-batches to compiled objectives). */
  batchLoss: TensorObjective;
  /** The rows update `step` uses, as views of the data (no copy). */
  batchInputs(step: number): ArrayInput[];
  dispose(): void;
}

export function mlpProblem(samples: number, features: number, hidden: number, batch: number): MlpProblem {
  const xs = new Float32Array(samples * features);
  const ys = new Float32Array(samples);
  for (let i = 0; i < samples; i++) {
    let s = 0;
    for (let j = 0; j < features; j++) {
      xs[i * features + j] = mlpFeature(i, j);
      s += mlpFeature(i, j) * mlpTargetWeight(j);
    }
    ys[i] = (s * s) / 16;
  }
  const shapes: [number, number][] = [
    [features, hidden],
    [1, hidden],
    [hidden, hidden],
    [1, hidden],
    [hidden, 1],
    [1, 1],
  ];
  const size = shapes.reduce((a, [r, c]) => a + r * c, 0);
  const x0 = Float32Array.from({ length: size }, (_, k) => mlpInitWeight(k));
  const data = tf.tensor2d(xs, [samples, features]);
  const target = tf.tensor2d(ys, [samples, 1]);
  const batches = Math.floor(samples / batch);
  const loss = (p: tf.Tensor1D, xb: tf.Tensor, yb: tf.Tensor) =>
    tf.tidy(() => {
      let offset = 0;
      const [w1, b1, w2, b2, w3, b3] = shapes.map(([r, c]) => {
        const t = tf.reshape(tf.slice(p, [offset], [r * c]), [r, c]) as tf.Tensor2D;
        offset += r * c;
        return t;
      });
      const h1 = tf.tanh(tf.add(tf.matMul(xb as tf.Tensor2D, w1), b1));
      const h2 = tf.tanh(tf.add(tf.matMul(h1, w2), b2));
      const out = tf.add(tf.matMul(h2, w3), b3);
      return tf.mean(tf.square(tf.sub(out, yb))) as tf.Scalar;
      });
  return {
    size,
    x0,
    objective: (step) => (p) =>
      tf.tidy(() => {
        const start = (step % batches) * batch;
        return loss(p, tf.slice(data, [start, 0], [batch, features]), tf.slice(target, [start, 0], [batch, 1]));
      }),
    batchLoss: (p, [xb, yb]) => loss(p, xb, yb),
    batchInputs: (step) => {
      const start = (step % batches) * batch;
      return [
        { values: xs.subarray(start * features, (start + batch) * features), shape: [batch, features] },
        { values: ys.subarray(start, start + batch), shape: [batch, 1] },
      ];
    },
    dispose: () => {
      data.dispose();
      target.dispose();
    },
  };
}
