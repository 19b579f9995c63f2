import { cubicInterpolate } from './cubicInterpolate';

/** One point on the line x + t·d: loss, gradient (any carrier, e.g. a tensor) and slope gᵀd. */
export interface LinePoint<G> {
  readonly f: number;
  readonly g: G;
  readonly gtd: number;
}

export interface StrongWolfeOptions {
  /** Sufficient-decrease constant (torch: 1e-4). */
  readonly c1?: number;
  /** Curvature constant (torch: 0.9). */
  readonly c2?: number;
  /** Stop zooming when |bracket|·max|d| is below this (torch: 1e-9). */
  readonly toleranceChange?: number;
  /** Evaluation budget after the first one (torch: 25). */
  readonly maxLs?: number;
}

export interface StrongWolfeResult<G> {
  readonly t: number;
  readonly f: number;
  /** Gradient at the returned step: `start.g` itself or one returned by `phi`. */
  readonly g: G;
  /** Calls of `phi` (torch's ls_func_evals). */
  readonly evals: number;
  /** Every trial step, in order. */
  readonly trials: number[];
}

/** A point of the bracket: its step and what `phi` said there. */
type BracketEnd<G> = LinePoint<G> & { readonly t: number };

/** What both phases share: the conditions' constants, the start's loss and slope, and the evaluation count. */
interface Search<G> {
  readonly c1: number;
  readonly c2: number;
  readonly maxLs: number;
  readonly f0: number;
  readonly gtd0: number;
  /** phi(t), remembered for the result and for releasing gradients. */
  readonly evaluate: (t: number) => LinePoint<G>;
  /** Evaluations after the first (torch's ls_iter). */
  lsIter: number;
}

/** Armijo's condition fails (written as torch writes it: a NaN loss does not fail it). */
const decreaseFails = <G>(s: Search<G>, t: number, f: number): boolean => f > s.f0 + s.c1 * t * s.gtd0;
const curvatureHolds = <G>(s: Search<G>, gtd: number): boolean => Math.abs(gtd) <= -s.c2 * s.gtd0;

/**
 * Line search for a step t satisfying the strong Wolfe conditions
 *   f(t) ≤ f(0) + c1·t·f'(0)  and  |f'(t)| ≤ −c2·f'(0),
 * bracketing then zooming with cubic interpolation. A faithful port of
 * torch.optim.lbfgs `_strong_wolfe` (itself from minFunc's lswolfe), so L-BFGS
 * with line_search_fn='strong_wolfe' follows torch's trajectory.
 *
 * `phi(t)` evaluates the objective at x + t·d; `dNorm` is max|d|. Every gradient
 * `phi` returned except the one in the result is passed to `release`.
 */
export function strongWolfe<G>(
  phi: (t: number) => LinePoint<G>,
  t0: number,
  start: LinePoint<G>,
  dNorm: number,
  options: StrongWolfeOptions,
  release: (g: G) => void,
): StrongWolfeResult<G> {
  const produced: G[] = [];
  const trials: number[] = [];
  const search: Search<G> = {
    c1: options.c1 ?? 1e-4,
    c2: options.c2 ?? 0.9,
    maxLs: options.maxLs ?? 25,
    f0: start.f,
    gtd0: start.gtd,
    evaluate: (t) => {
      const p = phi(t);
      produced.push(p.g);
      trials.push(t);
      return p;
    },
    lsIter: 0,
  };
  const { ends, done } = bracketStep(search, t0, start);
  const best = done ? ends[0] : zoom(search, ends as [BracketEnd<G>, BracketEnd<G>], dNorm, options.toleranceChange ?? 1e-9);
  for (const p of produced) if (p !== best.g) release(p);
  return { t: best.t, f: best.f, g: best.g, evals: search.lsIter + 1, trials };
}

/**
 * Phase 1: extrapolate from t0 until a step brackets a point satisfying both conditions (two ends) or
 * satisfies them itself (one end, done). Out of budget: the bracket [0, last t].
 */
function bracketStep<G>(s: Search<G>, t0: number, start: LinePoint<G>): { ends: BracketEnd<G>[]; done: boolean } {
  let t = t0;
  let next: BracketEnd<G> = { ...s.evaluate(t), t };
  let prev: BracketEnd<G> = { ...start, t: 0 };
  while (s.lsIter < s.maxLs) {
    if (decreaseFails(s, t, next.f) || (s.lsIter > 1 && next.f >= prev.f)) return { ends: [prev, next], done: false };
    if (curvatureHolds(s, next.gtd)) return { ends: [next], done: true };
    if (next.gtd >= 0) return { ends: [prev, next], done: false };
    // Extrapolate: the minimiser of the cubic, kept within [t + 0.01(t − t_prev), 10t].
    const bounds: [number, number] = [t + 0.01 * (t - prev.t), t * 10];
    t = cubicInterpolate(prev.t, prev.f, prev.gtd, t, next.f, next.gtd, bounds);
    prev = next;
    next = { ...s.evaluate(t), t };
    s.lsIter += 1;
  }
  return { ends: [{ ...start, t: 0 }, next], done: false };
}

/** Phase 2: shrink the bracket until a point satisfies both conditions (or the budget or the bracket's width ends); its lower end. */
function zoom<G>(s: Search<G>, ends: [BracketEnd<G>, BracketEnd<G>], dNorm: number, toleranceChange: number): BracketEnd<G> {
  const lowFirst = (): [number, number] => (ends[0].f <= ends[1].f ? [0, 1] : [1, 0]);
  let [low, high] = lowFirst();
  let insufficientProgress = false;
  let done = false;
  while (!done && s.lsIter < s.maxLs) {
    if (Math.abs(ends[1].t - ends[0].t) * dNorm < toleranceChange) break;
    let t = cubicInterpolate(ends[0].t, ends[0].f, ends[0].gtd, ends[1].t, ends[1].f, ends[1].gtd);
    // Keep t at least 10% of the bracket away from its ends when progress stalls.
    const bMax = Math.max(ends[0].t, ends[1].t);
    const bMin = Math.min(ends[0].t, ends[1].t);
    const eps = 0.1 * (bMax - bMin);
    if (Math.min(bMax - t, t - bMin) < eps) {
      if (insufficientProgress || t >= bMax || t <= bMin) {
        t = Math.abs(t - bMax) < Math.abs(t - bMin) ? bMax - eps : bMin + eps;
        insufficientProgress = false;
      } else {
        insufficientProgress = true;
      }
    } else {
      insufficientProgress = false;
    }
    const next: BracketEnd<G> = { ...s.evaluate(t), t };
    s.lsIter += 1;
    if (decreaseFails(s, t, next.f) || next.f >= ends[low].f) {
      ends[high] = next;
      [low, high] = lowFirst();
    } else {
      if (curvatureHolds(s, next.gtd)) done = true;
      // The old low end becomes the high end when the slope at t points back past it.
      else if (next.gtd * (ends[high].t - ends[low].t) >= 0) ends[high] = ends[low];
      ends[low] = next;
    }
  }
  return ends[low];
}
