import * as tf from '@tensorflow/tfjs';
import type { StepInput } from '../optimizer';
import type { NewtonDirection } from './denseNewtonDirection';

export interface NewtonCgOptions {
  readonly maxIter: number;
  /** Stop when |r| ≤ tol·|g|. */
  readonly tol: number;
}

/**
 * Truncated conjugate gradients for (H + λI)p = g using only HVPs. Stops at
 * the tolerance, the iteration cap, or negative curvature dᵀ(H + λI)d ≤ 0:
 * then it keeps the iterate so far, or p = g (steepest descent) if that was the
 * first direction. The right-hand side is g/max|g| and p is scaled back at the
 * end, so float32 sums do not overflow on huge gradients.
 */
export function newtonCg(input: StepInput, damping: number, o: NewtonCgOptions): NewtonDirection {
  const { params, grad } = input;
  const sigma = tf.tidy(() => tf.max(tf.abs(grad)));
  const sigmaValue = sigma.dataSync()[0];
  if (!(sigmaValue > 0) || !Number.isFinite(sigmaValue)) {
    sigma.dispose();
    return { direction: tf.zerosLike(grad), hvps: 0, info: { notPositiveDefinite: false, dampingUsed: damping, cgIterations: 0 } };
  }
  const b = tf.div(grad, sigma) as tf.Tensor1D;
  let p = tf.zerosLike(b) as tf.Tensor1D;
  let r = b.clone();
  let d = b.clone();
  let rr = readScalar(() => tf.sum(tf.square(r)));
  const threshold = o.tol * Math.sqrt(rr);
  let hvps = 0;
  let iterations = 0;
  let notPositiveDefinite = false;
  let steepestDescent = false;
  let converged = false;
  for (let j = 0; j < o.maxIter; j++) {
    const hd = input.hvp(params, d);
    hvps += 1;
    const ad = damping > 0 ? tf.tidy(() => tf.add(hd, tf.mul(d, damping)) as tf.Tensor1D) : hd;
    if (ad !== hd) hd.dispose();
    const dAd = readScalar(() => tf.dot(d, ad));
    if (!(dAd > 0)) {
      ad.dispose();
      notPositiveDefinite = true;
      if (j === 0) {
        steepestDescent = true;
        p.dispose();
        p = b.clone();
      }
      break;
    }
    const alpha = rr / dAd;
    const [pNext, rNext] = tf.tidy(() => [tf.add(p, tf.mul(d, alpha)), tf.sub(r, tf.mul(ad, alpha))] as tf.Tensor1D[]);
    tf.dispose([p, r, ad]);
    p = pNext;
    r = rNext;
    iterations = j + 1;
    const rrNext = readScalar(() => tf.sum(tf.square(r)));
    if (Math.sqrt(rrNext) <= threshold) {
      converged = true;
      break;
    }
    const dNext = tf.tidy(() => tf.add(r, tf.mul(d, rrNext / rr)) as tf.Tensor1D);
    d.dispose();
    d = dNext;
    rr = rrNext;
  }
  const direction = tf.tidy(() => tf.mul(p, sigma) as tf.Tensor1D);
  tf.dispose([sigma, b, p, r, d]);
  return {
    direction,
    hvps,
    info: { notPositiveDefinite, dampingUsed: damping, steepestDescent, cgIterations: iterations, cgConverged: converged },
  };
}

/** Computes a scalar, reads it back and frees it. */
function readScalar(compute: () => tf.Tensor): number {
  const t = tf.tidy(compute);
  const value = t.dataSync()[0];
  t.dispose();
  return value;
}
