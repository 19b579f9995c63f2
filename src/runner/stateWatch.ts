/**
 * The optimizer's latest state, for the edge-of-stability sample: the loops keep the state to themselves, so the
 * optimizer is wrapped to remember what `init` and `update` last gave (a reference, no copy per step). The
 * preconditioner is read from it only when a sample asks; when the loop frees the state at the end of the run, P is
 * read once first, so the final sample still has it.
 */
import type { ArrayOptimizer } from '../core/arrays/contracts';
import type { Optimizer, OptimizerState } from '../core/optimizer';

export interface WatchedOptimizer {
  /** The optimizer to run (the same numbers: only the latest state is remembered). */
  readonly optimizer: Optimizer;
  /** The sharpness limit at lr; undefined when the optimizer states none. */
  sharpnessLimit(lr: number): number | undefined;
  /** Whether the limit is on λmax(P⁻¹H). */
  readonly preconditioned: boolean;
  /** P from the latest state (undefined before the optimizer has one). */
  preconditioner(lr: number): Float32Array | undefined;
}

/** `sampled`: whether the run takes curvature samples; if not, the optimizer is left as it is and nothing is read. */
export function watchState(optimizer: Optimizer, sampled = true): WatchedOptimizer {
  const stability = optimizer.stability;
  if (!sampled) return { optimizer, sharpnessLimit: (lr) => stability?.sharpnessLimit(lr), preconditioned: stability?.preconditioned === true, preconditioner: () => undefined };
  let read: ((lr: number) => Float32Array | undefined) | undefined;
  let lastLr = 0;
  /** P read when the loop freed the state (the run's end). */
  let kept: Float32Array | undefined;
  const onTensors = (state: OptimizerState) => (read = stability?.preconditioner ? (lr) => stability.preconditioner?.(state, lr) : undefined);
  const keep = () => {
    kept = read?.(lastLr);
    read = undefined;
  };
  const watched: Optimizer = {
    ...optimizer,
    init(params) {
      const state = optimizer.init(params);
      onTensors(state);
      return state;
    },
    update(input, state) {
      lastLr = input.lr;
      const result = optimizer.update(input, state);
      onTensors(result.state);
      return result;
    },
    disposeState(state) {
      if (read) keep();
      optimizer.disposeState(state);
    },
    ...(optimizer.arrays ? { arrays: watchArrays(optimizer.arrays) } : {}),
  };

  function watchArrays<S>(arrays: ArrayOptimizer<S>): ArrayOptimizer<S> {
    const onArrays = (state: S) => (read = arrays.preconditioner ? (lr) => arrays.preconditioner?.(state, lr) : undefined);
    return {
      ...arrays,
      init(params) {
        const state = arrays.init(params);
        onArrays(state);
        return state;
      },
      update(input, state) {
        lastLr = input.lr;
        return arrays.update(input, state);
      },
      release(state) {
        if (read) keep();
        arrays.release?.(state);
      },
    };
  }

  return {
    optimizer: watched,
    sharpnessLimit: (lr) => stability?.sharpnessLimit(lr),
    preconditioned: stability?.preconditioned === true,
    preconditioner: (lr) => read?.(lr) ?? kept,
  };
}
