import type * as tf from '@tensorflow/tfjs';
import type { ArrayOptimizer } from './arrays/contracts';
import type { HpRecord, HpSpec } from './hyperparams';

/**
 * Loss and gradient at a point. The caller owns (and disposes) both tensors.
 * Line searches and second-order methods call it as torch's `step(closure)` does.
 */
export interface Evaluation {
  readonly loss: tf.Scalar;
  readonly grad: tf.Tensor1D;
}
export type Evaluate = (x: tf.Tensor1D) => Evaluation;

export interface StepInput {
  /** Current flat parameters (owned by the caller; do not dispose). */
  readonly params: tf.Tensor1D;
  /** Loss and gradient at `params`, already computed by the loop (owned by the caller). */
  readonly loss: tf.Scalar;
  readonly grad: tf.Tensor1D;
  /** Learning rate for this step, from the schedule. */
  readonly lr: number;
  /** Number of updates done before this one (torch's `state['step']` is step + 1 inside the update). */
  readonly step: number;
  /** Extra evaluations for line searches and second-order methods. */
  readonly evaluate: Evaluate;
  /** Hessian-vector product H(x)·v (second-order methods; caller disposes the result). */
  readonly hvp: (x: tf.Tensor1D, v: tf.Tensor1D) => tf.Tensor1D;
}

/** Optimizer state: named tensors and plain numbers, so it can be inspected and checkpointed. */
export type OptimizerState = { [key: string]: tf.Tensor | number | boolean | tf.Tensor[] | number[] | undefined };

export interface StepResult<S extends OptimizerState> {
  /** New flat parameters (owned by the caller after return). */
  readonly params: tf.Tensor1D;
  /** New state; the old state's tensors that are not reused have been disposed. */
  readonly state: S;
  /** Loss/gradient evaluations used by this update beyond the one in `StepInput` (0 for first-order). */
  readonly extraEvals: number;
  /** Method-specific scalars for the dashboard (e.g. skipped curvature pairs, line-search trials). */
  readonly info?: Readonly<Record<string, number | boolean | number[]>>;
}

export interface Optimizer<S extends OptimizerState = OptimizerState> {
  readonly id: string;
  /** Resolved hyperparameters (defaults filled in). */
  readonly hp: Readonly<HpRecord>;
  init(params: tf.Tensor1D): S;
  update(input: StepInput, state: S): StepResult<S>;
  /** Disposes every tensor held by a state. */
  disposeState(state: S): void;
  /**
   * Per-parameter views of a state for the dashboard: its tensors plus derived
   * ones such as Adam's effective step (flat, like the params; caller disposes).
   */
  inspect?(state: S): Record<string, tf.Tensor>;
  /**
   * Where the run is judged when that is not `params`, where gradients are taken (schedule-free's
   * average x): the loop records losses and returns the final parameters there (flat; caller disposes).
   */
  evaluationPoint?(params: tf.Tensor1D, state: S): tf.Tensor1D;
  /** Its edge of stability (OptimizerRule.stability); absent: no known limit. */
  readonly stability?: OptimizerStability;
  /**
   * The same update rule on plain Float32Arrays (src/core/arrays/), used when
   * the objective compiles to plain JS. Absent: the run stays on tensors.
   */
  readonly arrays?: ArrayOptimizer;
  /** Why `arrays` is absent, when the rule was tried and does not compile (the run reports it). */
  readonly arraysUnavailable?: string;
}

/** An optimizer's edge of stability: the sharpness limit at an lr, and the preconditioner its state gives (adaptive rules). */
export interface OptimizerStability {
  sharpnessLimit(lr: number): number | undefined;
  /** Whether the limit is on λmax(P⁻¹H) rather than λmax(H). */
  readonly preconditioned: boolean;
  /** P's diagonal, flat like the params, from a state of the tensor form (undefined while it has none; caller owns the array). */
  preconditioner?(state: OptimizerState, lr: number): Float32Array | undefined;
}

/** The shapes of the objective's parameter tensors, in the flat vector's order (ParamLayout's slots). */
export type ParamShapes = readonly { readonly name: string; readonly shape: readonly number[] }[];

export interface OptimizerFactory {
  readonly id: string;
  readonly summary: string;
  /** torch.optim class this matches, e.g. 'torch.optim.Adam', or '(none: …)'. */
  readonly torchName: string;
  /** What it follows: the torch class, or the paper (authors, year, title, arXiv id). */
  readonly reference: string;
  /** Family lists group by ('sgd', 'adaptive', 'sign', 'quasi-newton', …). */
  readonly family: string;
  /** Default learning rate (torch's default for that class). */
  readonly defaultLr: number;
  readonly hyperparams: readonly HpSpec[];
  /**
   * Validates and fills defaults; throws HyperparameterError with a message naming the problem.
   * `shapes` are the parameter tensors' shapes (rules update each tensor with its own shape); absent: one vector.
   */
  create(hp: HpRecord, shapes?: ParamShapes): Optimizer;
}
