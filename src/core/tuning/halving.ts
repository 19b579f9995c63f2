/**
 * Successive halving (Jamieson & Talwalkar 2016; Li et al.'s Hyperband uses it
 * as its inner loop): every trial runs to the first rung, the better half by
 * loss goes on to the next, and so on; the survivors of the last rung run the
 * whole budget. Rungs at 1/8, 1/4 and 1/2 of the steps.
 */
export const HALVING_FRACTIONS: readonly number[] = [1 / 8, 1 / 4, 1 / 2];

/** The rungs' step counts for a run of `steps`: increasing, each at least 1 and below `steps`. */
export function rungSteps(steps: number): number[] {
  const rungs: number[] = [];
  for (const f of HALVING_FRACTIONS) {
    const s = Math.max(1, Math.round(steps * f));
    if (s < steps && (rungs.length === 0 || s > rungs[rungs.length - 1])) rungs.push(s);
  }
  return rungs;
}

export interface RungEntry {
  /** The trial's index. */
  readonly trial: number;
  /** Its loss at the rung; NaN (diverged, failed) ranks last. */
  readonly loss: number;
}

/** The trials that go on: the better half (rounded up) by loss, ties to the earlier trial; non-finite losses last. */
export function betterHalf(entries: readonly RungEntry[]): number[] {
  const rank = (l: number) => (Number.isFinite(l) ? l : Infinity);
  const sorted = [...entries].sort((a, b) => rank(a.loss) - rank(b.loss) || a.trial - b.trial);
  return sorted.slice(0, Math.ceil(entries.length / 2)).map((e) => e.trial);
}
