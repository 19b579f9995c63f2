/**
 * Minimiser of the cubic through (x1, f1) and (x2, f2) with slopes g1 and g2,
 * clamped to `bounds` (default: the interval between x1 and x2). When the cubic
 * has no real minimiser it returns the middle of the bounds. Same rule as
 * torch.optim.lbfgs `_cubic_interpolate` (from minFunc's polyinterp).
 */
export function cubicInterpolate(
  x1: number,
  f1: number,
  g1: number,
  x2: number,
  f2: number,
  g2: number,
  bounds?: readonly [number, number],
): number {
  const [lo, hi] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2Square = d1 * d1 - g1 * g2;
  if (!(d2Square >= 0)) return (lo + hi) / 2;
  const d2 = Math.sqrt(d2Square);
  const minPos =
    x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2)) : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
  // Python's min(max(p, lo), hi): a NaN p compares false and comes back unchanged.
  const clampedLow = lo > minPos ? lo : minPos;
  return clampedLow > hi ? hi : clampedLow;
}
