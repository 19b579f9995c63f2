import type * as tfType from '@tensorflow/tfjs';

/**
 * When the objective throws inside tf.grad (or has no gradient path), the
 * engine never reaches its own tape cleanup: the tensors it saved for the
 * backward pass are `kept`, so no scope disposes them. This does what the
 * engine would have done (tfjs-core Engine.gradients, gradientDepth 0).
 */
export function releaseAbandonedTape(tf: typeof tfType): void {
  const state = tf.engine().state;
  if (state.gradientDepth !== 0 || !state.activeTape) return;
  for (const node of state.activeTape) for (const t of node.saved ?? []) t.dispose();
  state.activeTape = null as unknown as typeof state.activeTape;
}
