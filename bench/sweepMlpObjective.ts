import * as tf from '@tensorflow/tfjs';
import { mlpFeature, mlpInitWeight, mlpTargetWeight } from './workloads';

/**
 * The bench's MLP workload (bench/workloads.ts 'mlp adam 16-64-64-1 batch 64', bench/problems.ts) as an
 * objective file, so `optlab sweep` and its engine run it as they run any user's file: the same data and
 * initial weights from the same rational formulas, the parameters in the flat order PyTorch slices
 * (w1, b1, w2, b2, w3, b3). The runner's mini-batches are its seeded permutation per epoch;
 * bench/sweepWorkers.ts hands PyTorch that order so both sides take the same rows.
 */
export const SAMPLES = 10_000;
export const FEATURES = 16;
export const HIDDEN = 64;
export const BATCH = 64;

const SHAPES: Record<'w1' | 'b1' | 'w2' | 'b2' | 'w3' | 'b3', [number, number]> = {
  w1: [FEATURES, HIDDEN], b1: [1, HIDDEN], w2: [HIDDEN, HIDDEN], b2: [1, HIDDEN], w3: [HIDDEN, 1], b3: [1, 1],
};

type Params = Record<keyof typeof SHAPES, tf.Tensor2D>;

export function mlpBench(p: Params, batch: { x: tf.Tensor2D; y: tf.Tensor2D }): tf.Scalar {
  const h1 = tf.tanh(tf.add(tf.matMul(batch.x, p.w1), p.b1));
  const h2 = tf.tanh(tf.add(tf.matMul(h1, p.w2), p.b2));
  const out = tf.add(tf.matMul(h2, p.w3), p.b3);
  return tf.mean(tf.square(tf.sub(out, batch.y))) as tf.Scalar;
}

/** Flat index k over the parameters in declaration order, as bench/problems.ts numbers them. */
mlpBench.init = (): Record<string, number[][]> => {
  let k = 0;
  const out: Record<string, number[][]> = {};
  for (const [name, [rows, cols]] of Object.entries(SHAPES)) {
    out[name] = Array.from({ length: rows }, () => Array.from({ length: cols }, () => mlpInitWeight(k++)));
  }
  return out;
};

mlpBench.data = (): { x: number[][]; y: number[][] } => {
  const x: number[][] = [];
  const y: number[][] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const row = Array.from({ length: FEATURES }, (_, j) => mlpFeature(i, j));
    const s = row.reduce((acc, v, j) => acc + v * mlpTargetWeight(j), 0);
    x.push(row);
    y.push([(s * s) / 16]);
  }
  return { x, y };
};
mlpBench.batchSize = BATCH;
