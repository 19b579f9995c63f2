import * as tf from '@tensorflow/tfjs';
import { nonNegative, resolveHyperparams, type HpSpec } from '../hyperparams';
import type { Optimizer, OptimizerFactory, OptimizerState, StepInput, StepResult } from '../optimizer';
import { strongWolfe, type LinePoint } from '../lineSearch/strongWolfe';
import { lbfgsArrays } from '../arrays/lbfgsArrays';
import { hpNumber } from './commonHyperparams';

/** torch.optim.LBFGS's state after some iterations; the history is a fixed ring buffer. */
export interface LbfgsState extends OptimizerState {
  /** Iterations done (torch's state['n_iter']). */
  n_iter: number;
  /** Loss/gradient evaluations so far (torch's state['func_evals']). */
  func_evals: number;
  /** Last search direction and step length: s = t·d is the next curvature pair's step. */
  d: tf.Tensor1D | undefined;
  t: number;
  /** Curvature pairs: y (old_dirs), s (old_stps), ro = 1/yᵀs, oldest at index `head` once full. */
  old_dirs: tf.Tensor1D[];
  old_stps: tf.Tensor1D[];
  ro: tf.Scalar[];
  head: number;
  /** Scale of the initial inverse Hessian, yᵀs/yᵀy of the newest pair. */
  H_diag: tf.Scalar | undefined;
  prev_flat_grad: tf.Tensor1D | undefined;
  prev_loss: number;
  /** Pairs rejected because yᵀs ≤ 1e-10 (not in torch: reported for the dashboard). */
  skipped_pairs: number;
}

const positiveInteger = (name: string) => (v: unknown) =>
  typeof v === 'number' && Number.isInteger(v) && v >= 1 ? undefined : `${name} must be an integer >= 1, got ${String(v)}`;

const hyperparams: readonly HpSpec[] = [
  { name: 'history_size', kind: 'number', default: 100, doc: 'curvature pairs kept (update history size)', check: positiveInteger('history_size') },
  {
    name: 'line_search_fn',
    kind: 'enum',
    default: 'none',
    values: ['none', 'strong_wolfe'],
    doc: "'strong_wolfe': line search for the step; 'none': fixed step lr",
  },
  { name: 'tolerance_grad', kind: 'number', default: 1e-7, doc: 'stop when max|g| is at most this', check: nonNegative },
  { name: 'tolerance_change', kind: 'number', default: 1e-9, doc: 'stop when the directional derivative is above −this', check: nonNegative },
];

/** yᵀs at or below this and the pair is skipped (torch's constant). */
const CURVATURE_FLOOR = 1e-10;

/**
 * torch.optim.LBFGS with max_iter=1: one update is one L-BFGS iteration. The
 * first step is −g scaled by t = min(1, 1/|g|₁)·lr; later steps use the
 * two-loop recursion over the last history_size pairs (s = t·d, y = Δg), with
 * H₀ = yᵀs/yᵀy, and t = lr or a strong-Wolfe line search from t = lr.
 * Reads a few scalars per update on the host (torch does the same with .item()).
 */
export const lbfgs: OptimizerFactory = {
  id: 'lbfgs',
  summary: 'Limited-memory BFGS (one iteration per step), optionally with a strong-Wolfe line search',
  torchName: 'torch.optim.LBFGS',
  reference: 'torch.optim.LBFGS',
  family: 'quasi-newton',
  defaultLr: 1,
  hyperparams,
  create(given) {
    const hp = resolveHyperparams('lbfgs', hyperparams, given);
    const historySize = hpNumber(hp, 'history_size');
    const toleranceGrad = hpNumber(hp, 'tolerance_grad');
    const toleranceChange = hpNumber(hp, 'tolerance_change');
    const useLineSearch = hp.line_search_fn === 'strong_wolfe';

    const disposeState = (s: LbfgsState): void => {
      tf.dispose([...s.old_dirs, ...s.old_stps, ...s.ro]);
      for (const t of [s.d, s.H_diag, s.prev_flat_grad]) t?.dispose();
    };

    const update = (input: StepInput, state: LbfgsState): StepResult<LbfgsState> => {
      const { params, grad, lr } = input;
      const first = state.n_iter === 0;
      // Candidate pair from the previous iteration; whether it is kept depends on yᵀs.
      const pair =
        first || !state.d || !state.prev_flat_grad
          ? undefined
          : tf.tidy(() => {
              const y = tf.sub(grad, state.prev_flat_grad as tf.Tensor1D) as tf.Tensor1D;
              const s = tf.mul(state.d as tf.Tensor1D, state.t) as tf.Tensor1D;
              return { y, s, ys: tf.dot(y, s) as tf.Scalar };
            });
      // One read: loss, max|g| (optimality), 1/|g|₁ (first step length), yᵀs.
      const stats = tf.tidy(() =>
        tf.stack([
          tf.reshape(input.loss, []),
          tf.max(tf.abs(grad)),
          first ? tf.div(1, tf.sum(tf.abs(grad))) : tf.scalar(0),
          pair ? pair.ys : tf.scalar(0),
        ]),
      );
      const [loss, gradMax, invL1, ys] = stats.dataSync();
      stats.dispose();

      if (gradMax <= toleranceGrad) {
        if (pair) tf.dispose([pair.y, pair.s, pair.ys]);
        return {
          params: params.clone(),
          state: { ...state, func_evals: state.func_evals + 1 },
          extraEvals: 0,
          info: { converged: true, skippedPairs: state.skipped_pairs, historyLength: state.old_dirs.length },
        };
      }

      const next: LbfgsState = {
        ...state,
        n_iter: state.n_iter + 1,
        func_evals: state.func_evals + 1,
        old_dirs: [...state.old_dirs],
        old_stps: [...state.old_stps],
        ro: [...state.ro],
      };
      if (first || !pair) {
        next.H_diag = tf.scalar(1);
      } else if (ys > CURVATURE_FLOOR) {
        const ro = tf.tidy(() => tf.div(1, pair.ys) as tf.Scalar);
        const hDiag = tf.tidy(() => tf.div(pair.ys, tf.dot(pair.y, pair.y)) as tf.Scalar);
        if (next.old_dirs.length === historySize) {
          // Full: overwrite the oldest pair and advance the ring's start.
          tf.dispose([next.old_dirs[next.head], next.old_stps[next.head], next.ro[next.head]]);
          next.old_dirs[next.head] = pair.y;
          next.old_stps[next.head] = pair.s;
          next.ro[next.head] = ro;
          next.head = (next.head + 1) % historySize;
        } else {
          next.old_dirs.push(pair.y);
          next.old_stps.push(pair.s);
          next.ro.push(ro);
        }
        pair.ys.dispose();
        state.H_diag?.dispose();
        next.H_diag = hDiag;
      } else {
        next.skipped_pairs = state.skipped_pairs + 1;
        tf.dispose([pair.y, pair.s, pair.ys]);
      }

      state.d?.dispose();
      next.d = first ? (tf.neg(grad) as tf.Tensor1D) : twoLoop(grad, next);
      state.prev_flat_grad?.dispose();
      next.prev_flat_grad = grad.clone();
      next.prev_loss = loss;
      // torch: t = min(1, 1/|g|₁)·lr on the first iteration (a float32 tensor there), lr afterwards.
      next.t = first ? (invL1 < 1 ? Math.fround(invL1 * lr) : lr) : lr;

      const d = next.d;
      const directional = tf.tidy(() => tf.stack([tf.dot(grad, d), tf.max(tf.abs(d))]));
      const [gtd, dNorm] = directional.dataSync();
      directional.dispose();
      const info = { converged: false, skippedPairs: next.skipped_pairs, historyLength: next.old_dirs.length };
      if (gtd > -toleranceChange) {
        // Not a descent direction (to tolerance): torch stops before moving.
        return { params: params.clone(), state: next, extraEvals: 0, info: { ...info, t: next.t, stalled: true } };
      }
      if (!useLineSearch) {
        const moved = tf.tidy(() => tf.add(params, tf.mul(d, next.t)) as tf.Tensor1D);
        return { params: moved, state: next, extraEvals: 0, info: { ...info, t: next.t } };
      }

      const phi = (t: number): LinePoint<tf.Tensor1D> => {
        const x = tf.tidy(() => tf.add(params, tf.mul(d, t)) as tf.Tensor1D);
        const ev = input.evaluate(x);
        x.dispose();
        const read = tf.tidy(() => tf.stack([tf.reshape(ev.loss, []), tf.dot(ev.grad, d)]));
        const [f, slope] = read.dataSync();
        tf.dispose([read, ev.loss]);
        return { f, g: ev.grad, gtd: slope };
      };
      // torch passes neither tolerance_change nor max_ls here: the search uses its own defaults.
      const ls = strongWolfe(phi, next.t, { f: loss, g: grad, gtd }, dNorm, {}, (g) => g.dispose());
      if (ls.g !== grad) ls.g.dispose();
      next.t = ls.t;
      next.func_evals += ls.evals;
      const moved = tf.tidy(() => tf.add(params, tf.mul(d, ls.t)) as tf.Tensor1D);
      return {
        params: moved,
        state: next,
        extraEvals: ls.evals,
        info: { ...info, t: ls.t, lineSearchTrials: ls.trials },
      };
    };

    const optimizer: Optimizer<LbfgsState> = {
      id: 'lbfgs',
      hp,
      init: (): LbfgsState => ({
        n_iter: 0,
        func_evals: 0,
        d: undefined,
        // Set on the first iteration; unused before.
        t: NaN,
        old_dirs: [],
        old_stps: [],
        ro: [],
        head: 0,
        H_diag: undefined,
        prev_flat_grad: undefined,
        prev_loss: NaN,
        skipped_pairs: 0,
      }),
      update,
      disposeState,
      inspect: (s): Record<string, tf.Tensor> => (s.d ? { direction: s.d.clone() } : {}),
      arrays: lbfgsArrays({ historySize, toleranceGrad, toleranceChange, useLineSearch }),
    };
    return optimizer;
  },
};

/**
 * The L-BFGS two-loop recursion: d = −H·g with H the inverse-Hessian estimate
 * from the stored pairs (oldest first) and initial scale H_diag.
 */
function twoLoop(grad: tf.Tensor1D, s: LbfgsState): tf.Tensor1D {
  return tf.tidy(() => {
    const k = s.old_dirs.length;
    const at = (i: number) => (s.head + i) % k;
    const al: tf.Scalar[] = new Array<tf.Scalar>(k);
    let q = tf.neg(grad) as tf.Tensor1D;
    for (let i = k - 1; i >= 0; i--) {
      const j = at(i);
      al[i] = tf.mul(tf.dot(s.old_stps[j], q), s.ro[j]) as tf.Scalar;
      q = tf.sub(q, tf.mul(s.old_dirs[j], al[i]));
    }
    let r = tf.mul(q, s.H_diag as tf.Scalar) as tf.Tensor1D;
    for (let i = 0; i < k; i++) {
      const j = at(i);
      const be = tf.mul(tf.dot(s.old_dirs[j], r), s.ro[j]);
      r = tf.add(r, tf.mul(s.old_stps[j], tf.sub(al[i], be)));
    }
    return r;
  });
}
