import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { hessianVectorProduct } from '../../../src/core/curvature/hvp';
import { evaluatorOf } from '../../../src/core/evaluate';
import type { StepMetrics } from '../../../src/core/loopRecords';
import { minimize } from '../../../src/core/minimize';
import { createOptimizer } from '../../../src/core/optimizers/registry';
import { constantSchedule } from '../../../src/core/schedule';
import { testFunctionFor, type FunctionDef, type TorchCase } from './torchFixtures';

/** One function's cases in a paper optimizer's reference file (test/fixtures/reference/<id>.json). */
export interface ReferenceFunction {
  readonly function: FunctionDef;
  readonly x0: readonly number[];
  readonly cases: readonly TorchCase[];
}

export interface ReferenceFile {
  readonly generator: string;
  readonly torch_version: string;
  readonly steps: number;
  readonly fixtures: readonly ReferenceFunction[];
}

export const REFERENCE_DIR = join(__dirname, '..', '..', 'fixtures', 'reference');

/** Reads test/fixtures/reference/<name>.json, written by the Python transcription next to it. */
export function loadReferenceFile<T extends ReferenceFile = ReferenceFile>(name: string): T {
  return JSON.parse(readFileSync(join(REFERENCE_DIR, `${name}.json`), 'utf8')) as T;
}

/**
 * Runs a case through the training loop on tensors (with Hessian-vector products by double
 * back-propagation, for rules that ask for them) and returns every record.
 */
export async function runReferenceCase(fixture: ReferenceFunction, c: TorchCase, steps: number): Promise<StepMetrics[]> {
  const fn = testFunctionFor(fixture.function);
  const records: StepMetrics[] = [];
  const x0 = tf.tensor1d(Array.from(c.x0 ?? fixture.x0));
  const evaluate = evaluatorOf(fn.f);
  const result = await minimize({
    evaluate: (x) => evaluate(x),
    hvp: (x, v) => hessianVectorProduct(fn.f, x, v),
    x0,
    optimizer: createOptimizer(c.optimizer, c.hp),
    schedule: constantSchedule(c.lr),
    steps,
    onMetrics: (batch) => records.push(...batch),
  });
  result.params.dispose();
  x0.dispose();
  return records;
}
