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
  const c1 = options.c1 ?? 1e-4;
  const c2 = options.c2 ?? 0.9;
  const toleranceChange = options.toleranceChange ?? 1e-9;
  const maxLs = options.maxLs ?? 25;
  const { f, gtd } = start;
  const produced: G[] = [];
  const trials: number[] = [];
  const evaluate = (t: number): LinePoint<G> => {
    const p = phi(t);
    produced.push(p.g);
    trials.push(t);
    return p;
  };

  let t = t0;
  let next = evaluate(t);
  let evals = 1;
  let prev: LinePoint<G> & { t: number } = { ...start, t: 0 };
  let done = false;
  let lsIter = 0;
  // Bracket as parallel arrays, as in torch (low/high positions index into them).
  let bracket: number[] = [];
  let bracketF: number[] = [];
  let bracketG: G[] = [];
  let bracketGtd: number[] = [];

  while (lsIter < maxLs) {
    if (next.f > f + c1 * t * gtd || (lsIter > 1 && next.f >= prev.f)) {
      [bracket, bracketF, bracketG, bracketGtd] = [[prev.t, t], [prev.f, next.f], [prev.g, next.g], [prev.gtd, next.gtd]];
      break;
    }
    if (Math.abs(next.gtd) <= -c2 * gtd) {
      [bracket, bracketF, bracketG] = [[t], [next.f], [next.g]];
      done = true;
      break;
    }
    if (next.gtd >= 0) {
      [bracket, bracketF, bracketG, bracketGtd] = [[prev.t, t], [prev.f, next.f], [prev.g, next.g], [prev.gtd, next.gtd]];
      break;
    }
    // Extrapolate: the minimiser of the cubic, kept within [t + 0.01(t − t_prev), 10t].
    const minStep = t + 0.01 * (t - prev.t);
    const maxStep = t * 10;
    const tPrev = t;
    t = cubicInterpolate(prev.t, prev.f, prev.gtd, t, next.f, next.gtd, [minStep, maxStep]);
    prev = { ...next, t: tPrev };
    next = evaluate(t);
    evals += 1;
    lsIter += 1;
  }
  if (lsIter === maxLs) {
    [bracket, bracketF, bracketG] = [[0, t], [f, next.f], [start.g, next.g]];
  }

  // Zoom: shrink the bracket until a point satisfies both conditions.
  let insufficientProgress = false;
  let [lowPos, highPos] = bracketF[0] <= bracketF[bracketF.length - 1] ? [0, 1] : [1, 0];
  while (!done && lsIter < maxLs) {
    if (Math.abs(bracket[1] - bracket[0]) * dNorm < toleranceChange) break;
    t = cubicInterpolate(bracket[0], bracketF[0], bracketGtd[0], bracket[1], bracketF[1], bracketGtd[1]);
    // Keep t at least 10% of the bracket away from its ends when progress stalls.
    const bMax = Math.max(bracket[0], bracket[1]);
    const bMin = Math.min(bracket[0], bracket[1]);
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
    next = evaluate(t);
    evals += 1;
    lsIter += 1;

    if (next.f > f + c1 * t * gtd || next.f >= bracketF[lowPos]) {
      bracket[highPos] = t;
      bracketF[highPos] = next.f;
      bracketG[highPos] = next.g;
      bracketGtd[highPos] = next.gtd;
      [lowPos, highPos] = bracketF[0] <= bracketF[1] ? [0, 1] : [1, 0];
    } else {
      if (Math.abs(next.gtd) <= -c2 * gtd) {
        done = true;
      } else if (next.gtd * (bracket[highPos] - bracket[lowPos]) >= 0) {
        // The old high end becomes the new low end.
        bracket[highPos] = bracket[lowPos];
        bracketF[highPos] = bracketF[lowPos];
        bracketG[highPos] = bracketG[lowPos];
        bracketGtd[highPos] = bracketGtd[lowPos];
      }
      bracket[lowPos] = t;
      bracketF[lowPos] = next.f;
      bracketG[lowPos] = next.g;
      bracketGtd[lowPos] = next.gtd;
    }
  }

  const g = bracketG[lowPos];
  for (const p of produced) if (p !== g) release(p);
  return { t: bracket[lowPos], f: bracketF[lowPos], g, evals, trials };
}
