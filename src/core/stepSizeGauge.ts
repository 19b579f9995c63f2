/**
 * Cockpit's step-size gauge α (Schneider, Dangel & Hennig 2021, "Cockpit", §3): where an update lands on the
 * one-dimensional quadratic fitted along it. With the step x₁ = x₀ + d, t = ‖d‖ and s = x₀ + τ·d/‖d‖, the fit
 * q(τ) = c + bτ + aτ² is the least-squares quadratic through f(0), f(t) and the directional derivatives f′(0),
 * f′(t) (gᵢ·d/‖d‖): four observations, three coefficients. Its minimum is at τ* = −b/(2a), so
 *   α = t/τ* − 1:  −1 the step did not move, 0 it landed at the minimum, 1 it landed where the quadratic is back
 *   at its starting value (the valley's other side); below 0 an understep, above an overstep.
 * Cockpit's convention for a fit that is not convex (a ≤ 0) while the step still goes downhill: −1 (the loss
 * keeps falling along it). The misfit says how far the loss change departs from a quadratic's along the step.
 */

/** What the gauge is computed from: the loss at both ends and the gradients' dot products with the step. */
export interface StepEnds {
  readonly loss0: number;
  readonly loss1: number;
  /** g(x₀)·d and g(x₁)·d. */
  readonly dot0: number;
  readonly dot1: number;
  /** ‖d‖². */
  readonly stepNormSq: number;
}

export interface StepGauge {
  /** α, or null when the fit says nothing (no step, a non-finite input, a non-convex fit going uphill). */
  readonly alpha: number | null;
  /** The fit's curvature along the step (2a, a second derivative per unit length²). */
  readonly curvature: number;
  /**
   * How far the loss change departs from the one the two slopes predict for a quadratic (the trapezoid rule,
   * exact for quadratics): |Δf − t·(f′(0) + f′(t))/2| over t·(|f′(0)| + |f′(t)|)/2. 0: quadratic along the step;
   * large where the loss is not, or where its change is below the loss's float32 resolution.
   */
  readonly misfit: number;
  /** 'convex': α from the fit's minimum; 'not-convex': Cockpit's −1 convention (or null going uphill). */
  readonly shape: 'convex' | 'not-convex';
}

/** Least-squares coefficients [c, b, a] of q(τ) = c + bτ + aτ² through q(0), q(t), q′(0), q′(t), and the residuals. */
export function fitStepQuadratic(t: number, f0: number, f1: number, df0: number, df1: number): { coefficients: [number, number, number]; residuals: number[] } {
  // Rows: q(0) = c, q(t) = c + bt + at², q′(0) = b, q′(t) = b + 2at.
  const rows = [[1, 0, 0], [1, t, t * t], [0, 1, 0], [0, 1, 2 * t]];
  const y = [f0, f1, df0, df1];
  const ata = [0, 1, 2].map((i) => [0, 1, 2].map((j) => rows.reduce((s, r) => s + r[i] * r[j], 0)));
  const aty = [0, 1, 2].map((i) => rows.reduce((s, r, k) => s + r[i] * y[k], 0));
  const coefficients = solve3(ata, aty);
  const residuals = rows.map((r, k) => r[0] * coefficients[0] + r[1] * coefficients[1] + r[2] * coefficients[2] - y[k]);
  return { coefficients, residuals };
}

/** α of one update from its two ends (see the file's comment). */
export function stepSizeGauge(ends: StepEnds): StepGauge {
  const { loss0, loss1, dot0, dot1, stepNormSq } = ends;
  const t = Math.sqrt(stepNormSq);
  const finite = [loss0, loss1, dot0, dot1, t].every(Number.isFinite);
  if (!finite || !(t > 0)) return { alpha: null, curvature: NaN, misfit: NaN, shape: 'not-convex' };
  // Centred on loss0 so the solve sees numbers of the step's scale, not the loss's offset.
  const [s0, s1] = [dot0 / t, dot1 / t];
  const { coefficients: [, b, a] } = fitStepQuadratic(t, 0, loss1 - loss0, s0, s1);
  // Value and slopes are in different units: the slopes' predicted change is the scale the loss change is judged on.
  const scale = (t * (Math.abs(s0) + Math.abs(s1))) / 2;
  const departure = Math.abs(loss1 - loss0 - (t * (s0 + s1)) / 2);
  const misfit = scale > 0 ? departure / scale : departure > 0 ? Infinity : 0;
  if (!(a > 0)) return { alpha: b < 0 ? -1 : null, curvature: 2 * a, misfit, shape: 'not-convex' };
  const minimumAt = -b / (2 * a);
  return { alpha: t / minimumAt - 1, curvature: 2 * a, misfit, shape: 'convex' };
}

/** Solves the symmetric 3×3 system by Gaussian elimination with partial pivoting. */
function solve3(m: number[][], v: number[]): [number, number, number] {
  const a = m.map((row, i) => [...row, v[i]]);
  for (let col = 0; col < 3; col++) {
    let pivot = col;
    for (let r = col + 1; r < 3; r++) if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
    [a[col], a[pivot]] = [a[pivot], a[col]];
    for (let r = col + 1; r < 3; r++) {
      const k = a[r][col] / a[col][col];
      for (let c = col; c < 4; c++) a[r][c] -= k * a[col][c];
    }
  }
  const x = [0, 0, 0];
  for (let r = 2; r >= 0; r--) x[r] = (a[r][3] - a[r].slice(r + 1, 3).reduce((s, c, j) => s + c * x[r + 1 + j], 0)) / a[r][r];
  return [x[0], x[1], x[2]];
}
