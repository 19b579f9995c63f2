import * as tf from '@tensorflow/tfjs';

/**
 * Maximising f is minimising −f (torch's `maximize=True` negates the gradient the same way), and this is
 * the one place a run applies that sign. Everything the run takes from the objective derives from the
 * function returned here: its gradient on tensors, its compiled program (the negation is traced like any
 * other op), Hessian-vector products, line searches and curvature samples, so no path negates again.
 * Negation is exact in floating point and every backward pass is linear in its seed, so the values,
 * gradients and Hessian products are f's with the sign flipped, bit for bit. Records and losses carry the
 * minimised value (−f when maximising, as the torch fixtures record it); curvature is reported for f
 * (estimateCurvature's `negated`).
 */
export function minimizedObjective<X extends tf.Tensor>(f: (x: X) => tf.Scalar, maximize: boolean): (x: X) => tf.Scalar {
  if (!maximize) return f;
  // No tidy of its own: f's intermediates belong to the caller's tape or tidy, as f's own would.
  return (x) => tf.neg(f(x));
}
