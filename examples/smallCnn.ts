import * as tf from '@tensorflow/tfjs';

/**
 * A small CNN on 12×12 gratings in 8 orientations: conv 3×3×8 'same' → batch norm (training mode:
 * the mini-batch's statistics) → relu → max pool 2×2 → dense 8, softmax cross-entropy, mini-batches
 * of 32 from 256 images. `plain` is the same network without batch norm (a conv bias instead).
 * Both run compiled (conv2d, batch norm, max pooling and their gradients as WebAssembly/JS loops,
 * checked against TensorFlow.js first); the run's `compute` record says which path it took.
 *
 * Try (same lr for both, then raise it):
 *   optlab run examples/smallCnn.ts --objective withBatchNorm --optimizer sgd --lr 0.1 --steps 400
 *   optlab run examples/smallCnn.ts --objective plain --optimizer sgd --lr 0.1 --steps 400
 *   (then --lr 0.03, 0.3 and 1; or --optimizer adam --lr 0.01)
 *
 * Measured (wasm, seed 0, 400 steps; the loss of the last mini-batch, so ±30 % noise):
 *   lr      withBatchNorm   plain
 *   0.03    0.064           0.064
 *   0.1     0.0098          0.012
 *   0.3     0.024           0.0068
 *   1       2.08 (= ln 8)   1.12
 * Both train on this easy task and batch norm buys nothing below lr 0.3; at lr 1 the batch-normed
 * network stops at ln 8, chance level (its relu units die), and the plain one stalls.
 *
 * Curvature (Hessian-vector products through conv, batch norm, relu and max pooling, compiled too):
 *   optlab run examples/smallCnn.ts --objective withBatchNorm --optimizer sgd --lr 0.1 --steps 400 --curvature-every 50
 * Measured (wasm, seed 0, sgd lr 0.1, one run): λmax at steps 0 / 10 / 20 was 57 / 17 / 21 with
 * batch norm and 70 / 19 / 17 without; λmin about −1 to −2 (a saddle-ish start). One compiled
 * product takes 60-100 ms with batch norm (TensorFlow.js's 270-300 ms; compiling it, about 3 s,
 * once per run) and 27 ms without (51 ms).
 */

const SIZE = 12;
const CLASSES = 8;
const IMAGES = 256;

/**
 * Class c is a grating at c·22.5°, with a random phase per image and Gaussian noise (σ = 0.5) on
 * every pixel: the first layer has to find oriented edges.
 */
function gratings(rng: { uniform(lo: number, hi: number): number; normal(mean: number, std: number): number }): { x: number[][][][]; y: number[][] } {
  const x: number[][][][] = [];
  const y: number[][] = [];
  for (let s = 0; s < IMAGES; s++) {
    const label = s % CLASSES;
    const angle = (label * Math.PI) / CLASSES;
    const phase = rng.uniform(0, 2 * Math.PI);
    const image: number[][][] = [];
    for (let i = 0; i < SIZE; i++) {
      const row: number[][] = [];
      for (let j = 0; j < SIZE; j++) {
        const along = i * Math.cos(angle) + j * Math.sin(angle);
        row.push([Math.cos((2 * Math.PI * 3 * along) / SIZE + phase) + rng.normal(0, 0.5)]);
      }
      image.push(row);
    }
    x.push(image);
    y.push(Array.from({ length: CLASSES }, (_, c) => (c === label ? 1 : 0)));
  }
  return { x, y };
}

type Batch = { x: tf.Tensor4D; y: tf.Tensor2D };
type Rng = { normals(shape: number[], std?: number): unknown };

/** Max pool 2×2, flatten, dense: the head both networks share. */
function head(h: tf.Tensor4D, w: tf.Tensor2D, b: tf.Tensor1D, y: tf.Tensor2D): tf.Scalar {
  const pooled = tf.maxPool(h, 2, 2, 'valid');
  const logits = tf.add(tf.matMul(tf.reshape(pooled, [pooled.shape[0], -1]), w), b);
  return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
}

export function withBatchNorm(p: { k: tf.Tensor4D; gamma: tf.Tensor1D; beta: tf.Tensor1D; w: tf.Tensor2D; b: tf.Tensor1D }, batch: Batch): tf.Scalar {
  const conv = tf.conv2d(batch.x, p.k, 1, 'same');
  // Training mode: each channel standardised over the batch and the pixels (a conv bias would cancel, so there is none).
  const { mean, variance } = tf.moments(conv, [0, 1, 2]);
  const normed = tf.batchNorm(conv, mean, variance, p.beta, p.gamma, 1e-5);
  return head(tf.relu(normed) as tf.Tensor4D, p.w, p.b, batch.y);
}
withBatchNorm.init = (rng: Rng) => ({
  k: rng.normals([3, 3, 1, 8], Math.sqrt(2 / 9)),
  gamma: { shape: [8], fill: 1 },
  beta: { shape: [8] },
  w: rng.normals([(SIZE / 2) * (SIZE / 2) * 8, CLASSES], Math.sqrt(1 / 288)),
  b: { shape: [CLASSES] },
});
withBatchNorm.data = gratings;
withBatchNorm.batchSize = 32;

export function plain(p: { k: tf.Tensor4D; bias: tf.Tensor1D; w: tf.Tensor2D; b: tf.Tensor1D }, batch: Batch): tf.Scalar {
  const h = tf.relu(tf.add(tf.conv2d(batch.x, p.k, 1, 'same'), p.bias)) as tf.Tensor4D;
  return head(h, p.w, p.b, batch.y);
}
plain.init = (rng: Rng) => ({
  k: rng.normals([3, 3, 1, 8], Math.sqrt(2 / 9)),
  bias: { shape: [8] },
  w: rng.normals([(SIZE / 2) * (SIZE / 2) * 8, CLASSES], Math.sqrt(1 / 288)),
  b: { shape: [CLASSES] },
});
plain.data = gratings;
plain.batchSize = 32;
