/** The file "New objective file" creates: commented, type-checked, runnable as is. */
export function objectiveTemplate(name = 'bowl'): string {
  return `import * as tf from '@tensorflow/tfjs';
import type { Objective } from 'optimizer-lab';

/**
 * An objective is an exported function with an \`init\` property: it takes the
 * parameters (a tensor, or a record of named tensors) and returns a scalar loss.
 * Annotating it with \`Objective\` gives completion on its settings below.
 * Click "▶ Run" above it, or turn on live mode and edit: the plots follow.
 */
export const ${name}: Objective = (p) => {
  // A tilted quadratic bowl with its minimum 0 at (1, 2).
  const d = p.sub(tf.tensor1d([1, 2]));
  return tf.sum(d.square().mul(tf.tensor1d([1, 10])));
};

/** Required: where the optimizer starts (numbers, nested arrays, {shape, std}, a record, or (rng) => ...). */
${name}.init = [-3, 3];
/** Optional: the known optimal value, so the plots can show f − f*. */
${name}.minimum = 0;
/** Optional: the plot window of a two-parameter objective. */
${name}.domain = [[-4, 4], [-2, 5]];
// Also: ${name}.data and ${name}.batchSize (mini-batches), ${name}.constraint ('nonnegative', {ball: r}, {box: [lo, hi]}).
`;
}
