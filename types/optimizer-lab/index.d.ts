// Types for Optimizer Lab objective files (shipped with the extension).
// An objective is an exported function with an `init` property; annotate it
// with `Objective` to get completion on `init`, `minimum`, `domain`, ...
import type { Tensor, Tensor1D, Scalar } from '../tfjs-core/index';

/** Nested arrays of numbers (a scalar, a vector, a matrix, ...). */
export type NestedNumbers = number | NestedNumbers[];

/** Seeded random numbers handed to `init` and `data` functions. */
export interface Rng {
  readonly seed: number;
  /** Uniform in [0, 1). */
  next(): number;
  uniform(lo?: number, hi?: number): number;
  normal(mean?: number, std?: number): number;
  /** Integer in [0, n). */
  int(n: number): number;
  /** Nested arrays of the given shape filled with N(mean, std²) samples. */
  normals(shape: readonly number[], std?: number, mean?: number): NestedNumbers;
}

/** A shape to fill: zeros, `fill`, or N(0, std²) samples from the run's seed. */
export interface ShapeSpec {
  shape: number[];
  std?: number;
  fill?: number;
}

export type InitValue = NestedNumbers | Tensor | ShapeSpec;

/** Where optimization starts: one parameter tensor or a record of named ones, or a function of the seed. */
export type Init = InitValue | { [name: string]: InitValue } | ((rng: Rng) => InitValue | { [name: string]: InitValue });

/** Training data: arrays whose first axis indexes samples (one array or named columns), or a function returning them. */
export type DataValue = NestedNumbers[] | Tensor;
export type Data = DataValue | { [column: string]: DataValue } | ((rng: Rng) => DataValue | { [column: string]: DataValue });

/** Projection applied after every update (projected gradient descent). */
export type Constraint =
  | 'nonnegative'
  | { ball: number }
  | { box: [number, number] | [number, number][] }
  | ((params: Tensor1D) => Tensor1D);

/** The properties the runner reads from an objective function. */
export interface ObjectiveSettings {
  /** Required: the starting point. */
  init?: Init;
  /** Known optimal value: plots show the suboptimality f − f*. */
  minimum?: number;
  /** Plot window for two-parameter objectives: [[xlo, xhi], [ylo, yhi]]. */
  domain?: [number, number][];
  /** Training data for stochastic objectives (the second argument is the mini-batch). */
  data?: Data;
  /** Mini-batch size (needs `data`). */
  batchSize?: number;
  constraint?: Constraint;
}

/** An objective: parameters (and a mini-batch) in, scalar loss out, plus its settings. */
export type Objective<P = Tensor1D, B = never> = ([B] extends [never]
  ? (params: P) => Scalar | Tensor
  : (params: P, batch: B) => Scalar | Tensor) & ObjectiveSettings;

// Optimizer rules (`import type { OptimizerRule } from 'optimizer-lab'`): the build copies the
// contract from src/core/rules/optimizerRule.ts next to this file.
export * from './optimizerRule';

// Values the runner answers `import ... from 'optimizer-lab'` with at run time (src/runner/optimizerLabModule.ts).
import type { OptimizerRule, RuleHyperparams, RuleState } from './optimizerRule';

/** The built-in rules by id ('adam', 'lion', 'schedule-free-adamw', ...): wrap them or read them. */
export declare const builtInRules: Readonly<Record<string, OptimizerRule>>;

/**
 * Sharpness-aware minimisation (Foret et al. 2021; adaptive: Kwon et al. 2021) around any tensor-scope rule:
 * each step takes the gradient at w + ρ·T²g/‖Tg‖ (T = |w| if adaptive, else I) and gives it to `base` at w.
 * Adds the hyperparameters rho (0.05) and adaptive (false); two gradient evaluations per step.
 */
export declare function sharpnessAware<S extends RuleState, H extends RuleHyperparams>(
  base: OptimizerRule<S, H>,
  baseId: string,
  overrides?: Partial<H>,
): OptimizerRule<S, H & { rho: number; adaptive: boolean }>;
