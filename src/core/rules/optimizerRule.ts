/**
 * The public optimizer-rule contract: what users write in their workspace
 * files (`import type { OptimizerRule } from 'optimizer-lab'`) and what the
 * built-in rules implement. Types only: the build copies this file verbatim
 * into the shipped declarations, so it must stay valid as a `.d.ts` and import
 * nothing but `@tensorflow/tfjs` types. Keep it backwards compatible.
 */
import type { Scalar, Tensor, Tensor1D } from '@tensorflow/tfjs';

/** A hyperparameter value: a number, a flag, or a tuple of numbers (Adam's betas). */
export type RuleHpValue = number | boolean | number[];

/** Hyperparameters as the rule sees them: every default, overridden by name; `lr` is this step's learning rate (after the schedule). */
export type RuleHyperparams = { lr: number } & { [name: string]: RuleHpValue };

/** State for one parameter tensor: tensors (moments, buffers) and plain numbers (a running product). */
export type RuleState = { [name: string]: Tensor | number };

/** Loss and gradient at another point (closures of model-scope rules); the rule owns both tensors. */
export interface RuleEvaluation {
  readonly loss: Scalar;
  readonly grad: Tensor1D;
}

/**
 * What model-scope rules (`scope: 'model'`) get besides the step: the objective itself, as torch's
 * `step(closure)`. Every call counts as one evaluation in the run's records. Such rules run on
 * tensors (never compiled) and see every parameter as one flat vector.
 */
export interface RuleClosures {
  /** The loss at the current parameters (the gradient is `grad`). */
  readonly loss: Scalar;
  /** Loss and gradient at other parameters (a line search's trial, SAM's perturbed point). */
  evaluate(params: Tensor1D): RuleEvaluation;
  /** Hessian-vector product H·v at the current parameters (Sophia, Newton-like rules). */
  hvp(v: Tensor1D): Tensor1D;
}

export interface RuleContext {
  /** 1-based count of updates of this parameter, this one included (torch's `state['step']`). */
  readonly step: number;
  /** The parameter's name in the objective's record ('' for a single tensor; 'params' for model-scope rules). */
  readonly name: string;
  /** Present for model-scope rules only. */
  readonly closures?: RuleClosures;
}

/** What `update` returns: the new parameter (same shape) and the new state (same keys). */
export interface RuleUpdate<S extends RuleState = RuleState> {
  readonly param: Tensor;
  readonly state: S;
}

/**
 * An optimizer as a program: `init` makes the state of one parameter tensor,
 * `update` makes the next parameter and state from the gradient, written with
 * TensorFlow.js ops and plain JS arithmetic on `hp` and `ctx.step`.
 *
 * - `update` runs once per parameter tensor, with that tensor's shape (matrix rules see matrices),
 *   unless `scope` is 'model': then once per step on all parameters as one flat vector, with closures.
 * - Elementwise rules are compiled to fused JS/WebAssembly loops: the rule is traced once and the
 *   numbers it computes from `hp` and `ctx.step` become inputs of the compiled loop, recomputed each
 *   step, so bias corrections and decays are never frozen. A rule that cannot be compiled runs on tensors,
 *   and the run says why. Compute those numbers from the arguments only (`hp`, `ctx`, `state`), not from
 *   variables outside the rule: a compiled step skips re-running `update` when nothing it read has changed.
 * - Tensors created inside `init` and `update` are cleaned up for you; return new tensors (or the
 *   inputs unchanged) and never dispose what you were given.
 */
export interface OptimizerRule<S extends RuleState = RuleState, H extends RuleHyperparams = RuleHyperparams> {
  /** Every hyperparameter with its default, `lr` included; `--hp name=value` and the dashboard override them by name. */
  readonly defaults: H;
  /** One line for lists and menus. */
  readonly summary?: string;
  /**
   * What this rule follows, shown in lists and in the copy-as-torch snippet: a torch class
   * ('torch.optim.Adam') when it matches one step for step, else the paper
   * ('Chen et al. 2023, Symbolic Discovery of Optimization Algorithms, arXiv:2302.06675').
   */
  readonly reference?: string;
  /** The family lists group by, e.g. 'sgd', 'adaptive', 'sign', 'orthogonalised', 'schedule-free', 'sharpness-aware', 'second-order diagonal'. */
  readonly family?: string;
  /** 'tensor' (default): update per parameter tensor; 'model': one update on the flat vector of all parameters, with closures. */
  readonly scope?: 'tensor' | 'model';
  /** One line per hyperparameter, shown in lists, menus and `optlab list`. */
  readonly docs?: { readonly [K in keyof H]?: string };
  /** Range checks: a message saying what is wrong with the value (e.g. 'must be in [0, 1), got 1.5'), or undefined when it is fine. */
  readonly checks?: { readonly [K in keyof H]?: (value: H[K], hp: H) => string | undefined };
  init(param: Tensor, hp: H): S;
  /**
   * Where the run is judged when that is not where gradients are taken: schedule-free methods take
   * gradients at y (the `param` update sees and returns) but their answer is the averaged sequence x.
   * When present, the run's loss records, their path and the final parameters are taken at this point
   * after each update (one extra loss evaluation per step, not counted as a gradient evaluation), and
   * the CLI and the dashboard say so. Return a tensor of the parameter's shape; return one of the state's
   * tensors as it is (`state.x`) for the rule to compile, as a point computed anew keeps the run on tensors.
   * `hp.lr` is the last update's lr (0 before the first).
   */
  evaluationPoint?(state: S, param: Tensor, hp: H): Tensor;
  update(grad: Tensor, state: S, param: Tensor, hp: H, ctx: RuleContext): RuleUpdate<S>;
  /** Where this rule's steps turn unstable (the run's edge-of-stability chart); absent: the run reports no limit. */
  readonly stability?: RuleStability<S, H>;
  /**
   * Derived per-parameter views of the state for the dashboard (e.g. Adam's effective step), after the
   * update numbered `ctx.step` (0 before the first) at learning rate `hp.lr`. Tensors of the parameter's shape.
   */
  inspect?(state: S, hp: H, ctx: RuleContext): { [name: string]: Tensor };
}

/**
 * The edge of stability of a rule (Cohen et al. 2021; 2022): on a quadratic with Hessian H, its iteration stays
 * bounded while the sharpness stays below `sharpnessLimit(hp)` (gradient descent: 2/lr). The sharpness is λmax(H),
 * or for an adaptive rule λmax(P⁻¹H) with P the diagonal `preconditioner` its state gives (Adam: (1 − β₁ᵗ)(√v̂ + ε)).
 */
export interface RuleStability<S extends RuleState = RuleState, H extends RuleHyperparams = RuleHyperparams> {
  /** The sharpness at the edge for these hyperparameters (`hp.lr` the step's lr); undefined when there is none. */
  sharpnessLimit(hp: H): number | undefined;
  /** P of one parameter tensor (its shape, entries > 0) after the update numbered `ctx.step`; undefined before it has one. */
  preconditioner?(state: S, hp: H, ctx: RuleContext): Tensor | undefined;
}
