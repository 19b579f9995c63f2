export interface ArmijoOptions {
  /** First trial step. */
  readonly t0: number;
  /** Shrink factor in (0, 1). */
  readonly beta: number;
  /** Sufficient-decrease constant in (0, 1). */
  readonly c: number;
  /** Shrinks allowed after the first trial. */
  readonly maxBacktracks: number;
}

export interface ArmijoResult {
  /** Accepted step, or 0 when no trial met the condition (stay put). */
  readonly t: number;
  /** φ at the accepted step (φ(0) when none was accepted). */
  readonly f: number;
  readonly accepted: boolean;
  /** Every trial step, in order (one φ evaluation each). */
  readonly trials: number[];
}

/**
 * Backtracking (Armijo) line search: t = t0, t0·β, t0·β², … until
 * φ(t) ≤ φ(0) + c·t·φ'(0), where φ'(0) < 0 is the slope along the search
 * direction (−|g|² for steepest descent). A NaN φ counts as a failure.
 */
export function armijoBacktracking(phi: (t: number) => number, f0: number, slope0: number, o: ArmijoOptions): ArmijoResult {
  const trials: number[] = [];
  let t = o.t0;
  for (let k = 0; k <= o.maxBacktracks; k++) {
    const f = phi(t);
    trials.push(t);
    if (f <= f0 + o.c * t * slope0) return { t, f, accepted: true, trials };
    t *= o.beta;
  }
  return { t: 0, f: f0, accepted: false, trials };
}
