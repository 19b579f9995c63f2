import * as tf from '@tensorflow/tfjs';

/**
 * The bench's CNN (issue 20): 16×16 single-channel images in 10 classes, conv 3×3×16 (stride 1, 'same')
 * → relu → conv 3×3×32 (stride 2, one pixel of padding on every side: 8×8) → relu → dense 10, softmax
 * cross-entropy, mini-batches of 32 from 1,024 images. Written as an objective file is (init, data,
 * batchSize), so `optlab run bench/cnnNetwork.ts --optimizer adam --lr 0.001 --steps 300` runs it too.
 *
 * Each class is a grating at its own orientation (class c at c·18°), with a random phase per image and
 * Gaussian noise (σ = 0.5) on every pixel: the first layer has to find oriented edges.
 *
 * (Not in examples/ yet: the examples' tests trace every objective with TensorFlow.js's cpu backend at
 * every batch shape, the whole data set included, and its convolutions take minutes there.)
 */
export function cnn(
  p: { k1: tf.Tensor4D; b1: tf.Tensor1D; k2: tf.Tensor4D; b2: tf.Tensor1D; w3: tf.Tensor2D; b3: tf.Tensor1D },
  batch: { x: tf.Tensor4D; y: tf.Tensor2D },
): tf.Scalar {
  const h1 = tf.relu(tf.add(tf.conv2d(batch.x, p.k1, 1, 'same'), p.b1)) as tf.Tensor4D;
  // Padding 1 on every side (not 'same', which pads stride-2 convolutions only at the bottom and right) is what torch's padding=1 does.
  const h2 = tf.relu(tf.add(tf.conv2d(h1, p.k2, 2, 1), p.b2));
  const logits = tf.add(tf.matMul(tf.reshape(h2, [h2.shape[0], -1]), p.w3), p.b3);
  return tf.losses.softmaxCrossEntropy(batch.y, logits) as tf.Scalar;
}
/** He-style initial weights (std √(2/fan-in)), zero biases. */
cnn.init = (rng: { normals(shape: number[], std?: number): unknown }) => ({
  k1: rng.normals([3, 3, 1, 16], Math.sqrt(2 / 9)),
  b1: { shape: [16] },
  k2: rng.normals([3, 3, 16, 32], Math.sqrt(2 / 144)),
  b2: { shape: [32] },
  w3: rng.normals([8 * 8 * 32, 10], Math.sqrt(1 / (8 * 8 * 32))),
  b3: { shape: [10] },
});
/** 1,024 images [16, 16, 1] and one-hot labels [10], generated from the run's seed. */
cnn.data = (rng: { uniform(lo: number, hi: number): number; normal(mean: number, std: number): number }) => {
  const x: number[][][][] = [];
  const y: number[][] = [];
  for (let s = 0; s < 1024; s++) {
    const label = s % 10;
    const angle = (label * Math.PI) / 10;
    const phase = rng.uniform(0, 2 * Math.PI);
    const image: number[][][] = [];
    for (let i = 0; i < 16; i++) {
      const row: number[][] = [];
      for (let j = 0; j < 16; j++) {
        const along = i * Math.cos(angle) + j * Math.sin(angle);
        row.push([Math.cos((2 * Math.PI * 3 * along) / 16 + phase) + rng.normal(0, 0.5)]);
      }
      image.push(row);
    }
    x.push(image);
    y.push(Array.from({ length: 10 }, (_, c) => (c === label ? 1 : 0)));
  }
  return { x, y };
};
cnn.batchSize = 32;

/**
 * The same network with batch normalisation after each convolution (training mode: each channel standardised
 * over the mini-batch and its pixels, ε = 1e-5, then scaled and shifted; no conv biases, which it would cancel):
 * the CNN "with batch norm". The same data; its own initial weights (γ = 1, β = 0).
 */
export function cnnBatchNorm(
  p: { k1: tf.Tensor4D; g1: tf.Tensor1D; be1: tf.Tensor1D; k2: tf.Tensor4D; g2: tf.Tensor1D; be2: tf.Tensor1D; w3: tf.Tensor2D; b3: tf.Tensor1D },
  batch: { x: tf.Tensor4D; y: tf.Tensor2D },
): tf.Scalar {
  const normed = (h: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D) => {
    const { mean, variance } = tf.moments(h, [0, 1, 2]);
    return tf.relu(tf.batchNorm(h, mean, variance, beta, gamma, 1e-5)) as tf.Tensor4D;
  };
  const h1 = normed(tf.conv2d(batch.x, p.k1, 1, 'same'), p.g1, p.be1);
  const h2 = normed(tf.conv2d(h1, p.k2, 2, 1), p.g2, p.be2);
  const logits = tf.add(tf.matMul(tf.reshape(h2, [h2.shape[0], -1]), p.w3), p.b3);
  return tf.losses.softmaxCrossEntropy(batch.y, logits) as tf.Scalar;
}
cnnBatchNorm.init = (rng: { normals(shape: number[], std?: number): unknown }) => ({
  k1: rng.normals([3, 3, 1, 16], Math.sqrt(2 / 9)),
  g1: { shape: [16], fill: 1 },
  be1: { shape: [16] },
  k2: rng.normals([3, 3, 16, 32], Math.sqrt(2 / 144)),
  g2: { shape: [32], fill: 1 },
  be2: { shape: [32] },
  w3: rng.normals([8 * 8 * 32, 10], Math.sqrt(1 / (8 * 8 * 32))),
  b3: { shape: [10] },
});
cnnBatchNorm.data = cnn.data;
cnnBatchNorm.batchSize = 32;
