import { strongWolfe, type LinePoint } from '../lineSearch/strongWolfe';
import type { ArrayOptimizer, ArrayStepInput, ArrayStepResult } from './contracts';
import { float32Dot } from './float32Dot';

export interface LbfgsArraysOptions {
  readonly historySize: number;
  readonly toleranceGrad: number;
  readonly toleranceChange: number;
  readonly useLineSearch: boolean;
}

/** torch.optim.LBFGS's state (n_iter, func_evals, d, t, old_dirs, old_stps, ro, H_diag, prev_flat_grad); vectors float32. */
export interface LbfgsArraysState {
  nIter: number;
  funcEvals: number;
  /** Last step length: s = t·d is the next curvature pair's step. */
  t: number;
  /** Search direction; the two-loop recursion works in it. */
  readonly d: Float32Array;
  readonly prevGrad: Float32Array;
  /** Ring of curvature pairs y (oldDirs), s (oldStps), ro = 1/yᵀs; oldest at `head` once full. */
  readonly oldDirs: Float32Array[];
  readonly oldStps: Float32Array[];
  readonly ro: Float64Array;
  head: number;
  count: number;
  /** The candidate pair is built here; an accepted pair swaps arrays with its ring slot. */
  spareY: Float32Array;
  spareS: Float32Array;
  /** Two-loop coefficients α_i, by age (oldest first). */
  readonly alpha: Float64Array;
  hDiag: number;
  skippedPairs: number;
  /** Line-search trial point and its gradient. */
  readonly trial: Float32Array;
  readonly trialGrad: Float32Array;
}

/** yᵀs at or below this and the pair is skipped (torch's constant). */
const CURVATURE_FLOOR = 1e-10;

/**
 * torch.optim.LBFGS with max_iter=1 on Float32Arrays, in torch's float32 rounding (the method:
 * ../optimizers/lbfgs.ts's comment; this is its only implementation, on tensors through
 * arraysOnTensors). Work vectors are allocated in `init`; the ring's slots
 * are allocated as they first fill (history_size·n floats up front would be
 * wasted on short runs), after which an update allocates no vectors.
 */
export function lbfgsArrays(o: LbfgsArraysOptions): ArrayOptimizer<LbfgsArraysState> {
  return {
    init: (params) => {
      const n = params.length;
      return {
        nIter: 0,
        funcEvals: 0,
        t: NaN,
        d: new Float32Array(n),
        prevGrad: new Float32Array(n),
        oldDirs: [],
        oldStps: [],
        ro: new Float64Array(o.historySize),
        head: 0,
        count: 0,
        spareY: new Float32Array(n),
        spareS: new Float32Array(n),
        alpha: new Float64Array(o.historySize),
        hDiag: 1,
        skippedPairs: 0,
        trial: new Float32Array(n),
        trialGrad: new Float32Array(n),
      };
    },
    update: (input, s) => update(o, input, s),
    // The dashboard's view: the last search direction (none before the first iteration).
    inspect: (s): Record<string, Float32Array> => (s.nIter > 0 ? { direction: s.d.slice() } : {}),
  };
}

function update(o: LbfgsArraysOptions, input: ArrayStepInput, s: LbfgsArraysState): ArrayStepResult {
  const { params, grad, paramsOut, lr } = input;
  const n = params.length;
  const first = s.nIter === 0;
  let gradMax = 0;
  let l1 = 0;
  for (let i = 0; i < n; i++) {
    const a = Math.abs(grad[i]);
    if (a > gradMax) gradMax = a;
    l1 += a;
  }
  if (gradMax <= o.toleranceGrad) {
    paramsOut.set(params);
    s.funcEvals += 1;
    return {
      updateNormSq: 0,
      extraEvals: 0,
      info: { converged: true, skippedPairs: s.skippedPairs, historyLength: s.count },
    };
  }
  s.nIter += 1;
  s.funcEvals += 1;

  if (first) {
    s.hDiag = 1;
    for (let i = 0; i < n; i++) s.d[i] = -grad[i];
    // torch: t = min(1, 1/|g|₁)·lr on the first iteration, lr afterwards.
    const invL1 = Math.fround(1 / Math.fround(l1));
    s.t = invL1 < 1 ? Math.fround(invL1 * lr) : lr;
  } else {
    addCurvaturePair(o.historySize, grad, s);
    twoLoop(grad, s);
    s.t = lr;
  }
  s.prevGrad.set(grad);

  const d = s.d;
  let dNorm = 0;
  for (let i = 0; i < n; i++) dNorm = Math.max(dNorm, Math.abs(d[i]));
  const gtd = float32Dot(grad, d);
  const base = { converged: false, skippedPairs: s.skippedPairs, historyLength: s.count };
  if (gtd > -o.toleranceChange) {
    // Not a descent direction (to tolerance): torch stops before moving.
    paramsOut.set(params);
    return { updateNormSq: 0, extraEvals: 0, info: { ...base, t: s.t, stalled: true } };
  }
  if (!o.useLineSearch) {
    return { updateNormSq: moveAlong(params, d, s.t, paramsOut), extraEvals: 0, info: { ...base, t: s.t } };
  }

  const phi = (t: number): LinePoint<null> => {
    moveAlong(params, d, t, s.trial);
    const f = input.evaluate(s.trial, s.trialGrad);
    return { f, g: null, gtd: float32Dot(s.trialGrad, d) };
  };
  // torch passes neither tolerance_change nor max_ls here: the search uses its own defaults.
  // Only slopes are needed from the trial gradients, so none is kept (g: null).
  const ls = strongWolfe(phi, s.t, { f: input.loss, g: null, gtd }, dNorm, {}, () => undefined);
  s.t = ls.t;
  s.funcEvals += ls.evals;
  return {
    updateNormSq: moveAlong(params, d, ls.t, paramsOut),
    extraEvals: ls.evals,
    info: { ...base, t: ls.t, lineSearchTrials: ls.trials },
  };
}

/** out = x + t·d in float32 (t rounded to float32 first, as tf.mul does); returns ‖out − x‖². */
function moveAlong(x: Float32Array, d: Float32Array, t: number, out: Float32Array): number {
  const t32 = Math.fround(t);
  let normSq = 0;
  for (let i = 0; i < x.length; i++) {
    out[i] = x[i] + Math.fround(d[i] * t32);
    const step = out[i] - x[i];
    normSq += step * step;
  }
  return normSq;
}

/** Forms y = g − g_prev, s = t·d and stores the pair if yᵀs > 1e-10 (else counts it as skipped). */
function addCurvaturePair(historySize: number, grad: Float32Array, s: LbfgsArraysState): void {
  const y = s.spareY;
  const step = s.spareS;
  const t32 = Math.fround(s.t);
  for (let i = 0; i < grad.length; i++) {
    y[i] = grad[i] - s.prevGrad[i];
    step[i] = s.d[i] * t32;
  }
  const ys = float32Dot(y, step);
  if (!(ys > CURVATURE_FLOOR)) {
    s.skippedPairs += 1;
    return;
  }
  s.hDiag = Math.fround(ys / float32Dot(y, y));
  // Full: overwrite the oldest pair and advance the ring's start; the evicted arrays become the spares.
  const slot = s.count === historySize ? s.head : s.count;
  const evictedY = s.oldDirs[slot] as Float32Array | undefined;
  const evictedS = s.oldStps[slot] as Float32Array | undefined;
  s.oldDirs[slot] = y;
  s.oldStps[slot] = step;
  s.ro[slot] = Math.fround(1 / ys);
  s.spareY = evictedY ?? new Float32Array(grad.length);
  s.spareS = evictedS ?? new Float32Array(grad.length);
  if (s.count === historySize) s.head = (s.head + 1) % historySize;
  else s.count += 1;
}

/** d = −H·g by the two-loop recursion over the stored pairs (oldest first), H₀ = hDiag·I. */
function twoLoop(grad: Float32Array, s: LbfgsArraysState): void {
  const { d, oldDirs, oldStps, ro, alpha, count, head } = s;
  const n = grad.length;
  for (let i = 0; i < n; i++) d[i] = -grad[i];
  for (let k = count - 1; k >= 0; k--) {
    const j = (head + k) % count;
    const y = oldDirs[j];
    const a = Math.fround(float32Dot(oldStps[j], d) * ro[j]);
    alpha[k] = a;
    for (let i = 0; i < n; i++) d[i] -= Math.fround(y[i] * a);
  }
  for (let i = 0; i < n; i++) d[i] *= s.hDiag;
  for (let k = 0; k < count; k++) {
    const j = (head + k) % count;
    const step = oldStps[j];
    const be = Math.fround(float32Dot(oldDirs[j], d) * ro[j]);
    const coef = Math.fround(alpha[k] - be);
    for (let i = 0; i < n; i++) d[i] += Math.fround(step[i] * coef);
  }
}
