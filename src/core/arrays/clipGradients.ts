/** Float32 rounding, as each tensor op stores its result (a local binding: see sgdArrays.ts). */
const f32 = Math.fround;

/** torch.nn.utils.clip_grad_norm_'s guard against a zero norm. */
const NORM_EPS = f32(1e-6);

/**
 * `clipByGlobalNorm` (../gradientTransforms.ts) on a Float32Array, in place:
 * g ← g·min(1, maxNorm/(‖g‖ + 1e-6)), with the same overflow-safe norm
 * s·‖g/s‖ (s = max|gᵢ|) rounded as the cpu backend rounds it: float32
 * quotients and squares, a float64 sum stored as float32.
 */
export function clipByGlobalNormInPlace(grad: Float32Array, maxNorm: number): void {
  if (!(maxNorm >= 0) || !Number.isFinite(maxNorm)) throw new RangeError(`max_norm must be a finite number >= 0, got ${maxNorm}`);
  const n = grad.length;
  if (n === 0) return;
  // tf.max lets a NaN win, as here: v > NaN is false, so a NaN scale stays.
  let scale = Math.abs(grad[0]);
  for (let i = 1; i < n; i++) {
    const v = Math.abs(grad[i]);
    if (Number.isNaN(v) || v > scale) scale = v;
  }
  let sumSq = 0;
  for (let i = 0; i < n; i++) {
    // tf.divNoNan: 0 where the scale is 0.
    const q = scale === 0 ? 0 : f32(grad[i] / scale);
    sumSq += f32(q * q);
  }
  const norm = f32(scale * f32(Math.sqrt(f32(sumSq))));
  const coef = Math.min(f32(f32(maxNorm) / f32(norm + NORM_EPS)), 1);
  // g·1 is exact: nothing to write.
  if (coef === 1) return;
  for (let i = 0; i < n; i++) grad[i] = f32(grad[i] * coef);
}
