/**
 * Convergence rate of the last part of a run: a straight line in log f
 * against k means a linear rate ρ (f_k ≈ C ρ^k); a straight line in log f
 * against log k means a power law (f_k ≈ C k^p). Both are fitted by least
 * squares over the last half of the points and the better fit is reported.
 */
export interface Fit {
  kind: 'linear' | 'power';
  /** ρ per unit of x for 'linear', the exponent p for 'power'. */
  value: number;
  r2: number;
  /** The fitted curve's two ends, for drawing. */
  from: { x: number; y: number };
  to: { x: number; y: number };
}

interface Line { slope: number; intercept: number; r2: number }

function leastSquares(xs: number[], ys: number[]): Line | undefined {
  const n = xs.length;
  if (n < 3) return undefined;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxx = 0, sxy = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i] - mx) ** 2;
    sxy += (xs[i] - mx) * (ys[i] - my);
    syy += (ys[i] - my) ** 2;
  }
  if (sxx === 0) return undefined;
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx, r2: syy === 0 ? 1 : (sxy * sxy) / (sxx * syy) };
}

/** Fits over the last half of the points (at most `maxPoints` of them, evenly strided: the table refits live). */
export function fitConvergence(points: readonly { x: number; y: number }[], maxPoints = 1000): Fit | undefined {
  const half = Math.floor(points.length / 2);
  const stride = Math.max(1, Math.ceil((points.length - half) / maxPoints));
  const tail: { x: number; y: number }[] = [];
  for (let i = half; i < points.length; i += stride) {
    const p = points[i];
    if (p.x > 0 && p.y > 0 && Number.isFinite(p.y)) tail.push(p);
  }
  if (tail.length < 3) return undefined;
  const xs = tail.map((p) => p.x), lxs = xs.map(Math.log), lys = tail.map((p) => Math.log(p.y));
  const lin = leastSquares(xs, lys);
  const pow = leastSquares(lxs, lys);
  const a = xs[0], b = xs[xs.length - 1];
  if (lin && (!pow || lin.r2 >= pow.r2)) {
    return { kind: 'linear', value: Math.exp(lin.slope), r2: lin.r2,
      from: { x: a, y: Math.exp(lin.intercept + lin.slope * a) }, to: { x: b, y: Math.exp(lin.intercept + lin.slope * b) } };
  }
  if (!pow) return undefined;
  return { kind: 'power', value: pow.slope, r2: pow.r2,
    from: { x: a, y: Math.exp(pow.intercept + pow.slope * Math.log(a)) }, to: { x: b, y: Math.exp(pow.intercept + pow.slope * Math.log(b)) } };
}

export function describeFit(fit: Fit | undefined): string {
  if (!fit) return '–';
  return fit.kind === 'linear'
    ? `linear ρ=${fit.value.toPrecision(4)} (R²=${fit.r2.toFixed(2)})`
    : `power k^${fit.value.toFixed(2)} (R²=${fit.r2.toFixed(2)})`;
}
