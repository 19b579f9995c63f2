/**
 * torch's in-place tensor idioms as plain functions of tensors, in torch's op
 * order: the order decides where float32 rounds (and overflows), so the
 * built-in rules use these to stay step for step with torch.optim.
 */
import type * as tf from '@tensorflow/tfjs';

/**
 * num / den, except 0 where den is 0. Every denominator here is sqrt(…) + eps,
 * so it is 0 only when eps is 0 (or rounds to 0 in float32): then torch gives
 * 0/0 = NaN or g/0 = Inf and we give a zero step instead. With eps > 0 this is
 * a plain division (no extra ops).
 */
export function divideSafely(num: tf.Tensor, den: tf.Tensor, eps: number): tf.Tensor {
  return Math.fround(eps) > 0 ? num.div(den) : num.divNoNan(den);
}

/** torch's `a.addcmul(t1, t2, value)`: a + (value·t1)·t2, in that order (it decides when float32 overflows). */
export function addcmul(a: tf.Tensor, value: number, t1: tf.Tensor, t2: tf.Tensor): tf.Tensor {
  return a.add(t1.mul(value).mul(t2));
}

/** torch's `a.addcdiv(t1, t2, value)`: a + (value·t1)/t2, with `divideSafely`'s zero-denominator rule. */
export function addcdiv(a: tf.Tensor, value: number, t1: tf.Tensor, t2: tf.Tensor, eps: number): tf.Tensor {
  return a.add(divideSafely(t1.mul(value), t2, eps));
}

/** torch's `grad.add(param, alpha=weight_decay)` (L2 penalty), skipped when 0 as torch does. */
export function withWeightDecay(grad: tf.Tensor, param: tf.Tensor, weightDecay: number): tf.Tensor {
  return weightDecay !== 0 ? grad.add(param.mul(weightDecay)) : grad;
}

/** torch's `buf.mul_(beta).add_(x, alpha=1-beta)`: an exponential moving average. */
export function ema(buf: tf.Tensor, beta: number, x: tf.Tensor): tf.Tensor {
  return buf.mul(beta).add(x.mul(1 - beta));
}

/** torch's `buf.mul_(beta).addcmul_(x, x, value=1-beta)`: the moving average of squares. */
export function emaOfSquares(buf: tf.Tensor, beta: number, x: tf.Tensor): tf.Tensor {
  return addcmul(buf.mul(beta), 1 - beta, x, x);
}

/**
 * torch's `a.lerp(b, weight)` with a number weight, as its kernel computes it: a + w·(b − a) while
 * |w| < 0.5, else b − (b − a)·(1 − w) (exact at w = 1, where Adafactor's first step lands).
 */
export function lerp(a: tf.Tensor, b: tf.Tensor, weight: number): tf.Tensor {
  return Math.abs(weight) < 0.5 ? a.add(b.sub(a).mul(weight)) : b.sub(b.sub(a).mul(1 - weight));
}
