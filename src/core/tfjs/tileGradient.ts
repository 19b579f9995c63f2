import * as tf from '@tensorflow/tfjs';

/**
 * Tile's gradient as one reshape and one sum. TensorFlow.js 4.22's adds one slice of dy per copy
 * (rank 4: a loop over every repetition), and its batch-norm gradient tiles the per-channel
 * statistics over the whole batch: differentiated again for a Hessian-vector product of
 * examples/smallCnn.ts, that was 4,608 slices and 4,608 adds, 9,859 kernels to trace and compile
 * (about 9 s for the first curvature sample). dy's shape is [r0·s0, r1·s1, …] (copy k of axis a
 * at rows k·s_a …); seen as [r0, s0, r1, s1, …] the copies are the even axes, summed away.
 */
export const tileGradient: tf.GradConfig = {
  kernelName: 'Tile',
  inputsToSave: ['x'],
  gradFunc: ((dy: tf.Tensor, [x]: tf.Tensor[], attrs: tf.NamedAttrMap) => ({
    x: () => {
      const reps = attrs.reps as number[];
      const split = x.shape.flatMap((size, axis) => [reps[axis], size]);
      return tf.reshape(tf.sum(tf.reshape(dy, split), reps.map((_, axis) => 2 * axis)), x.shape);
    },
  })) as tf.GradConfig['gradFunc'],
};
