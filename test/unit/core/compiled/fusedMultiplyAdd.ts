/**
 * a·b + c on float32 values rounded once to float32, as a fused multiply-add gives it (IEEE 754 fusedMultiplyAdd).
 * a·b of two float32 values is exact in float64; the float64 sum s is rounded, and rounding s to float32 again
 * differs from one rounding only when s lands exactly on a float32 midpoint while the exact sum does not: the
 * sum's error (TwoSum, exact) then says which side the exact value is on.
 */
export function fusedMultiplyAdd32(a: number, b: number, c: number): number {
  const product = a * b;
  const s = product + c;
  const back = s - product;
  const error = product - (s - back) + (c - back);
  const rounded = Math.fround(s);
  if (error === 0 || rounded === s) return rounded;
  const neighbour = nextFloat32(rounded, s);
  if ((rounded + neighbour) / 2 !== s) return rounded;
  return error > 0 === neighbour > rounded ? neighbour : rounded;
}

/** The float32 next to `x` in the direction of `toward`. */
function nextFloat32(x: number, toward: number): number {
  const f = new Float32Array([x]);
  const bits = new Int32Array(f.buffer);
  if (x === 0) bits[0] = toward > 0 ? 1 : 0x80000001 | 0;
  else if (toward > x === x > 0) bits[0]++;
  else bits[0]--;
  return f[0];
}
