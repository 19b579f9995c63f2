/**
 * How far a compiled program's output is from TensorFlow.js's: the largest
 * |a − b| relative to max|b| over finite b (one scale for the whole vector,
 * as float32 rounding of a gradient is). Equal values agree, NaN and ±Inf
 * included (tf.norm's gradient at 0 is NaN on both sides); a NaN or infinite
 * difference on one side only is Infinity, so it always fails a tolerance.
 */
export function relativeError(a: Float32Array, b: Float32Array): number {
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < b.length; i++) if (Number.isFinite(b[i])) scale = Math.max(scale, Math.abs(b[i]));
  for (let i = 0; i < b.length; i++) {
    if (a[i] === b[i] || (Number.isNaN(a[i]) && Number.isNaN(b[i]))) continue;
    const d = Math.abs(a[i] - b[i]);
    worst = Number.isNaN(d) || d === Infinity ? Infinity : Math.max(worst, d);
  }
  return scale === 0 ? worst : worst / scale;
}
