/**
 * Float32 constants that several elementwise rules derive from their options
 * the same way; computed once per optimizer, for the JS loop and the loop IR alike.
 */
const f32 = Math.fround;

/** L2 weight decay (λθ added to the gradient): whether there is any, and λ in float32. */
export function l2Of(weightDecay: number): { l2: boolean; wd: number } {
  return { l2: weightDecay !== 0, wd: f32(weightDecay) };
}

/** eps in float32, and divideSafely's rule: with eps 0 in float32, a zero denominator gives a zero step (torch: NaN or Inf). */
export function epsOf(eps: number): { eps: number; epsPositive: boolean } {
  const e = f32(eps);
  return { eps: e, epsPositive: e > 0 };
}

/** Adam's moment factors β₁, 1 − β₁, β₂, 1 − β₂ in float32 (Adam and NAdam). */
export function momentFactorsOf(beta1: number, beta2: number): { b1: number; oneMinusB1: number; b2: number; oneMinusB2: number } {
  return { b1: f32(beta1), oneMinusB1: f32(1 - beta1), b2: f32(beta2), oneMinusB2: f32(1 - beta2) };
}
