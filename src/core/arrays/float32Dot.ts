/**
 * TensorFlow.js's cpu backend computes tf.dot as a matMul that sums blocks of
 * this many products in float64 and adds each block's sum into a float32
 * result. Summing the same way makes the array path agree with the tensor
 * path on cpu to the last bit, not just to round-off.
 */
export const DOT_BLOCK = 48;

/** uᵀv rounded like tf.dot on the cpu backend: float64 within a block, float32 between blocks. */
export function float32Dot(u: Float32Array, v: Float32Array): number {
  const n = u.length;
  let total = 0;
  for (let start = 0; start < n; start += DOT_BLOCK) {
    const end = Math.min(start + DOT_BLOCK, n);
    let block = 0;
    for (let i = start; i < end; i++) block += u[i] * v[i];
    total = Math.fround(total + block);
  }
  return total;
}
