/**
 * The training loop's contracts (./minimizeArrays.ts): every run is a loop over Float32Arrays. When the
 * user's objective compiles to plain JS (src/core/compiled/) nothing else happens per step: no
 * TensorFlow.js engine work (about 10 µs per op) and one fused pass per update. An objective or an
 * optimizer on tensors reaches the same loop through ./tensorsOnArrays.ts (what ../minimize.ts does);
 * the tensor forms of the optimizers stay the reference the compiled forms are checked against.
 */

/** A scalar objective on the flat float32 parameter vector, as plain JS. */
export interface ArrayObjective {
  readonly size: number;
  /** Loss at x for update `step` (stochastic objectives pick the batch from it); writes ∇f(x) into gradOut. */
  valueAndGrad(x: Float32Array, step: number, gradOut: Float32Array): number;
  /** ‖gradOut‖² of the last valueAndGrad call (float64 sum), when the objective computes it anyway: the loop then skips its own pass. */
  lastGradNormSq?(): number;
  /** The loss alone at x (no gradient), when that is cheaper: the records at an optimizer's evaluation point use it. */
  value?(x: Float32Array, step: number): number;
  /**
   * From now on, read x where the optimizer's update wrote it and write the gradient where the update
   * reads it, in place (a compiled objective runs as a guest of the rule's memory: no copy per step).
   * True when it does; that memory may have grown, detaching earlier views, so the caller fetches the
   * workspace again. Calls with other arrays still work (with copies).
   */
  shareWorkspace?(workspace: Workspace): boolean;
}

/** The arrays an update reads and writes in place (ArrayOptimizer.workspace): both halves of the parameters' double buffer and the gradient. */
export interface Workspace {
  readonly params: readonly [Float32Array, Float32Array];
  readonly grad: Float32Array;
}

export interface ArrayStepInput {
  /** Parameters before the update (read only). */
  readonly params: Float32Array;
  /** Where the new parameters go: a different array (the loop double-buffers), never aliasing params or grad. */
  readonly paramsOut: Float32Array;
  /** Gradient at params (after clipping; read only). */
  readonly grad: Float32Array;
  readonly loss: number;
  readonly lr: number;
  /** Updates done before this one (torch's state['step'] is step + 1 inside the update). */
  readonly step: number;
  /** Extra evaluations for line searches: loss at x, gradient into gradOut (each counts as one evaluation). */
  evaluate(x: Float32Array, gradOut: Float32Array): number;
}

export interface ArrayStepResult {
  /** ‖paramsOut − params‖² (computed in the same pass as the update). */
  readonly updateNormSq: number;
  /** Evaluations beyond the one in the input (0 for first-order methods). */
  readonly extraEvals: number;
  readonly info?: Readonly<Record<string, number | boolean | number[]>>;
}

/**
 * An optimizer's update rule on plain arrays, numerically the same as its
 * tensor form (same float32 operation order as torch, checked against the torch
 * fixtures). State is whatever the rule needs; it is created by `init` and
 * only touched by `update`.
 */
export interface ArrayOptimizer<S = unknown> {
  init(params: Float32Array): S;
  update(input: ArrayStepInput, state: S): ArrayStepResult;
  /** Writes where the run is judged (schedule-free's average x; Optimizer.evaluationPoint's twin) into `out`. */
  evaluationPoint?(state: S, out: Float32Array): void;
  /**
   * Arrays the update reads and writes without copying (views of its WebAssembly memory): the loop
   * keeps its two parameter buffers and the gradient there, and an update whose params, paramsOut and
   * grad are these (either way round for the parameters) skips its copies in and out. Undefined when
   * the state's update runs in JS, where any arrays are as good.
   */
  workspace?(state: S): Workspace | undefined;
  /** Per-parameter views of a state for the dashboard (Optimizer.inspect on this form; the loop reads them, copies). */
  inspect?(state: S): Record<string, Float32Array>;
  /** OptimizerStability.preconditioner's twin on this form's state. */
  preconditioner?(state: S, lr: number): Float32Array | undefined;
  /** The run that owns `state` is over: what it compiled may serve the next run (called once, after the last update). */
  release?(state: S): void;
}
