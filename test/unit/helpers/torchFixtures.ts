import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HpRecord } from '../../../src/core/hyperparams';
import {
  illConditionedQuadratic,
  logisticRegression,
  rosenbrock,
  type TestFunction,
} from '../../../src/core/testFunctions';

/** One torch run, as written by test/fixtures/torch/generate.py. */
export interface TorchCase {
  readonly name: string;
  readonly optimizer: string;
  readonly lr: number;
  /** torch names; only the non-default ones. */
  readonly hp: HpRecord;
  /** A start other than the fixture's x0. */
  readonly x0?: readonly number[];
  /** torch maximized −f with maximize=True; losses are −f. */
  readonly maximize?: boolean;
  /** losses[k]: loss before the k-th update. */
  readonly losses: readonly number[];
}

export interface FunctionDef {
  readonly name: string;
  readonly n: number;
  readonly kappa?: number;
  readonly Q?: readonly (readonly number[])[];
  readonly d?: readonly number[];
  readonly m?: number;
  readonly l2?: number;
  readonly A?: readonly (readonly number[])[];
  readonly y?: readonly number[];
}

export interface TorchFixture {
  readonly file: string;
  readonly torch_version: string;
  readonly steps: number;
  readonly function: FunctionDef;
  readonly x0: readonly number[];
  readonly cases: readonly TorchCase[];
}

export const FIXTURE_DIR = join(__dirname, '..', '..', 'fixtures', 'torch');
export const FIXTURE_FILES = ['rosenbrock.json', 'quadratic.json', 'logistic.json'] as const;

export function loadTorchFixture(file: string): TorchFixture {
  const parsed = JSON.parse(readFileSync(join(FIXTURE_DIR, file), 'utf8')) as Omit<TorchFixture, 'file'>;
  return { ...parsed, file };
}

/** The TS test function with the fixture's parameters. */
export function testFunctionFor(def: FunctionDef): TestFunction {
  switch (def.name) {
    case 'rosenbrock':
      return rosenbrock(def.n);
    case 'quadratic':
      return illConditionedQuadratic(def.n, def.kappa);
    case 'logistic':
      return logisticRegression(def.m, def.l2);
    default:
      throw new Error(`fixture function '${def.name}' has no TS counterpart`);
  }
}

/** The bar: relative 1e-3 at every step, absolute 1e-6 × the initial loss near zero. */
export const PARITY_REL_TOL = 1e-3;
export const PARITY_ABS_TOL_OF_INITIAL = 1e-6;

/** First step whose loss is off the parity bar, described, or undefined. */
export function firstParityMismatch(ours: readonly number[], torch: readonly number[]): string | undefined {
  const floor = PARITY_ABS_TOL_OF_INITIAL * Math.abs(torch[0]);
  for (let k = 0; k < torch.length; k++) {
    const tol = Math.max(PARITY_REL_TOL * Math.abs(torch[k]), floor);
    if (!(Math.abs(ours[k] - torch[k]) <= tol)) {
      const rel = Math.abs(ours[k] - torch[k]) / Math.max(Math.abs(torch[k]), floor);
      return `first bad step ${k}: ours ${ours[k]}, torch ${torch[k]} (relative ${rel.toExponential(2)}, allowed ${PARITY_REL_TOL})`;
    }
  }
  return undefined;
}
