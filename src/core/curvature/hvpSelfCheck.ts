import * as tf from '@tensorflow/tfjs';
import { hessianVectorProduct } from './hvp';
import type { FlatObjective } from './hvp';
import { randomUnitVector } from './randomUnitVector';

export interface HvpSelfCheckOptions {
  /** Finite-difference step along the unit direction. Default 1e-2·max(1, ‖x‖∞). */
  step?: number;
  /** Allowed relative difference beyond the finite differences' own uncertainty. Default 1e-2. */
  rtol?: number;
  seed?: number;
}

export interface HvpSelfCheckResult {
  ok: boolean;
  /** ‖Hv − FD‖ / ‖FD‖. */
  relativeError: number;
  hvpNorm: number;
  finiteDifferenceNorm: number;
  /** Why the curvature is not trusted (absent when ok). */
  message?: string;
}

/**
 * Compares one HVP from double back-propagation with central differences of the
 * gradient along a random unit direction v, Richardson-combined over steps h and
 * h/2. The difference between the two step sizes estimates the finite
 * differences' own error (large at kinks), so only a disagreement beyond it
 * counts as a mismatch: a wrong second derivative, never float32 noise.
 * A gradient that jumps (a max pool's window whose maximum moves, a relu that
 * switches) inside ±h breaks the finite differences, not the HVP: with the
 * default step, a failed comparison is tried once more at h/100, where a CNN's
 * tens of thousands of kinks are out of reach (measured on examples/smallCnn.ts:
 * 0.50 relative at h = 1e-2, 0.012 at 1e-4).
 */
export async function hvpSelfCheck(f: FlatObjective, x: tf.Tensor1D, options: HvpSelfCheckOptions = {}): Promise<HvpSelfCheckResult> {
  const rtol = options.rtol ?? 1e-2;
  const v = randomUnitVector(x.size, options.seed ?? 0);
  const xMaxTensor = tf.tidy(() => tf.max(tf.abs(x)));
  const xMax = (await xMaxTensor.data())[0];
  xMaxTensor.dispose();
  const h = options.step ?? 1e-2 * Math.max(1, xMax);
  const hvp = tf.tidy(() => hessianVectorProduct(f, x, v));
  let result = await compareAtStep(f, x, v, hvp, h, rtol);
  if (!result.ok && options.step === undefined) {
    const smaller = await compareAtStep(f, x, v, hvp, h / 100, rtol);
    if (smaller.ok) result = smaller;
  }
  tf.dispose([v, hvp]);
  return result;
}

/** The comparison at one finite-difference step h. */
async function compareAtStep(f: FlatObjective, x: tf.Tensor1D, v: tf.Tensor1D, hvp: tf.Tensor1D, h: number, rtol: number): Promise<HvpSelfCheckResult> {
  const grad = tf.grad((y: tf.Tensor) => f(y as tf.Tensor1D));
  const packed = tf.tidy(() => {
    const central = (s: number) => tf.div(tf.sub(grad(tf.add(x, tf.mul(s, v))), grad(tf.sub(x, tf.mul(s, v)))), 2 * s);
    const coarse = central(h);
    const fine = central(h / 2);
    const fd = tf.div(tf.sub(tf.mul(4, fine), coarse), 3);
    return tf.stack([tf.norm(tf.sub(hvp, fd)), tf.norm(hvp), tf.norm(fd), tf.norm(tf.sub(fine, coarse))]);
  });
  const [difference, hvpNorm, finiteDifferenceNorm, spread] = await packed.data();
  packed.dispose();
  const relativeError = difference / Math.max(finiteDifferenceNorm, Number.MIN_VALUE);
  const ok = difference <= rtol * Math.max(finiteDifferenceNorm, hvpNorm) + spread + 1e-6 * finiteDifferenceNorm;
  const result: HvpSelfCheckResult = { ok, relativeError, hvpNorm, finiteDifferenceNorm };
  if (!ok) {
    result.message =
      `HVP self-check failed: double back-propagation gives |Hv| = ${hvpNorm.toPrecision(4)}, finite differences ` +
      `of the gradient give ${finiteDifferenceNorm.toPrecision(4)} (relative difference ${relativeError.toPrecision(2)}); ` +
      'an op in this objective has a wrong second derivative, so its curvature is not shown';
  }
  return result;
}
