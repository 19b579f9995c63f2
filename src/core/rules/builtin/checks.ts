/**
 * Range checks the built-in rules share, worded like torch's own errors; a
 * check returns what is wrong with the value, or undefined when it is fine.
 */
export const nonNegative = (v: number): string | undefined => (v >= 0 ? undefined : `must be >= 0, got ${String(v)}`);

export const betasInUnitInterval = (v: number[]): string | undefined =>
  v.every((b) => b >= 0 && b < 1) ? undefined : `each beta must be in [0, 1), got ${JSON.stringify(v)}`;

/** Docs shared by several rules. */
export const DOCS = {
  weight_decay: 'L2 penalty: weight_decay·params is added to the gradient',
  eps: 'term added to the denominator for numerical stability',
  betas: 'decay rates of the running averages of the gradient and of its square',
} as const;
