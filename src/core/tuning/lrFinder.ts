/**
 * The learning-rate range test (Smith 2017, "Cyclical learning rates", §3.3) as
 * fastai's `lr_find` runs it: one run whose lr grows exponentially from `from`
 * towards `to` (lr_k = from·(to/from)^(k/steps), an ExponentialLR schedule), the
 * loss smoothed with a bias-corrected moving average (β = 0.98), stopped once the
 * smoothed loss passes 4× the best one. Suggestions as fastai's `steep` and
 * `minimum`: the lr where the smoothed loss falls fastest against log lr, and the
 * lr of the lowest smoothed loss divided by 10; both skip the first tenth of the
 * steps and the last five points, as fastai does.
 */
export const LR_FINDER_DEFAULTS = { from: 1e-7, to: 10, steps: 100 } as const;

/** fastai's AvgSmoothLoss β and its stop-on-divergence factor. */
const SMOOTHING = 0.98;
const STOP_FACTOR = 4;
const SKIP_END = 5;

export interface LrFinderRange {
  readonly from: number;
  readonly to: number;
  readonly steps: number;
}

export interface LrFinderPoint {
  readonly step: number;
  readonly lr: number;
  readonly loss: number;
  readonly smoothed: number;
}

export interface LrSuggestions {
  /** Where the smoothed loss falls fastest against log lr (fastai's `steep`). */
  readonly steepest?: number;
  /** The lr of the lowest smoothed loss, / 10 (fastai's `minimum`). */
  readonly minimumOverTen?: number;
}

/** The ExponentialLR factor that takes `from` to `to` in `steps` updates. */
export function lrFinderGamma(r: LrFinderRange): number {
  if (!(r.from > 0) || !(r.to > r.from)) throw new RangeError(`the lr finder needs 0 < from < to, got from ${r.from}, to ${r.to}`);
  if (!Number.isInteger(r.steps) || r.steps < 2) throw new RangeError(`the lr finder needs at least 2 steps, got ${r.steps}`);
  return (r.to / r.from) ** (1 / r.steps);
}

/** The schedule spec of the range test's run (its base lr is `from`). */
export function lrFinderSchedule(r: LrFinderRange): string {
  return `exponential:gamma=${lrFinderGamma(r)}`;
}

/** Collects the run's (lr, loss) pairs and says when to stop. */
export class LrFinderTrace {
  readonly points: LrFinderPoint[] = [];
  private average = 0;
  private best = Infinity;
  /** Set once the test should end: the smoothed loss passed 4× its best, or a loss was not finite. */
  stoppedAt?: number;

  /** Adds one step's record; true when the test is over (the point is kept only if finite). */
  push(step: number, lr: number, loss: number): boolean {
    if (this.stoppedAt !== undefined) return true;
    if (!Number.isFinite(loss)) {
      this.stoppedAt = step;
      return true;
    }
    this.average = SMOOTHING * this.average + (1 - SMOOTHING) * loss;
    const smoothed = this.average / (1 - SMOOTHING ** (this.points.length + 1));
    this.points.push({ step, lr, loss, smoothed });
    if (smoothed < this.best) this.best = smoothed;
    if (smoothed > STOP_FACTOR * this.best) this.stoppedAt = step;
    return this.stoppedAt !== undefined;
  }
}

/** fastai's `steep` and `minimum` on the points (of a test that asked for `steps`). */
export function suggestLrs(points: readonly LrFinderPoint[], steps: number): LrSuggestions {
  const kept = points.slice(Math.floor(steps / 10), Math.max(0, points.length - SKIP_END));
  if (kept.length < 2) return {};
  let steepAt = 0;
  let steepest = Infinity;
  for (let i = 0; i + 1 < kept.length; i++) {
    const slope = (kept[i + 1].smoothed - kept[i].smoothed) / (Math.log(kept[i + 1].lr) - Math.log(kept[i].lr));
    if (slope < steepest) {
      steepest = slope;
      steepAt = i;
    }
  }
  let lowest = 0;
  kept.forEach((p, i) => {
    if (p.smoothed < kept[lowest].smoothed) lowest = i;
  });
  return { steepest: kept[steepAt].lr, minimumOverTen: kept[lowest].lr / 10 };
}
