/**
 * What the training loop (./arrays/minimizeArrays.ts, and minimize.ts on tensors through it) reports:
 * each step's metrics, the path's optimizer state, and the run's outcome.
 */
import type * as tf from '@tensorflow/tfjs';

/** One step's metrics, sent on in batches. */
export interface StepMetrics {
  /** k-th record is measured at the parameters before the k-th update. */
  readonly step: number;
  readonly loss: number;
  /** Norm of the raw gradient (before clipping or noise). */
  readonly gradNorm: number;
  readonly updateNorm: number;
  readonly lr: number;
  /** Evaluations performed to reach and measure this point. */
  readonly evals: number;
  readonly wallMs: number;
  /** The parameters this record was measured at (only with `recordParams`). */
  readonly params?: number[];
  /** The raw gradient there (with `recordParams`) and, every `stateEvery` steps, the optimizer's vectors after this update. */
  readonly state?: StepState;
}

/** What the replay draws at a path point (src/protocol/pathState.ts). */
export interface StepState {
  readonly grad: number[];
  readonly moment?: number[];
  readonly momentKey?: string;
  readonly effectiveStep?: number[];
}

export type MinimizeStatus = 'completed' | 'cancelled' | 'diverged' | 'time-limit';

export interface MinimizeResult {
  readonly status: MinimizeStatus;
  /** Step at which the loss or gradient first became NaN/Inf (status 'diverged'). */
  readonly divergedAt?: number;
  /** Parameters after the last good update (owned by the caller). */
  readonly params: tf.Tensor1D;
  readonly final: { readonly loss: number; readonly gradNorm: number };
  readonly evals: number;
  readonly stepsDone: number;
  readonly wallMs: number;
  readonly info?: Readonly<Record<string, number | boolean | number[]>>;
}
