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
