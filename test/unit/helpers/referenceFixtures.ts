import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { ArrayObjective } from '../../../src/core/arrays/contracts';
import { minimizeArrays } from '../../../src/core/arrays/minimizeArrays';
import { CompiledValueAndGrad } from '../../../src/core/compiled/compileValueAndGrad';
import { evaluatorOf } from '../../../src/core/evaluate';
import type { HpRecord } from '../../../src/core/hyperparams';
import { minimize } from '../../../src/core/minimize';
import type { ParamShapes } from '../../../src/core/optimizer';
import { optimizerFactory } from '../../../src/core/optimizers/registry';
import { constantSchedule } from '../../../src/core/schedule';
import { testFunctionFor, type FunctionDef } from './torchFixtures';

/**
 * Reference fixtures of matrix-aware rules (test/fixtures/reference/adafactor.py, muon.py): generate.py's
 * three vector functions plus linear_net.py's two-layer linear network, whose parameters are a record of
 * a wide matrix W (3×4), a tall matrix V (5×3) and a vector b (5), flat in that order.
 */
export interface ReferenceCase {
  readonly name: string;
  readonly optimizer: string;
  readonly lr: number;
  readonly hp: HpRecord;
  readonly losses: readonly number[];
}

export interface LinearNetDef extends FunctionDef {
  readonly X?: readonly (readonly number[])[];
  readonly Y?: readonly (readonly number[])[];
  readonly shapes?: ParamShapes;
}

export interface ReferenceFixture {
  readonly function: LinearNetDef;
  readonly x0: readonly number[];
  readonly cases: readonly ReferenceCase[];
}

export function loadReferenceFixtures(file: string): { steps: number; fixtures: ReferenceFixture[] } {
  return JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'reference', file), 'utf8')) as { steps: number; fixtures: ReferenceFixture[] };
}

/** linear_net.py's constants, from the same formulas. */
export function linearNetConstants(): { X: number[][]; Y: number[][]; x0: number[] } {
  const X = Array.from({ length: 4 }, (_, i) => Array.from({ length: 6 }, (_, j) => (((3 * i + 5 * j + 2 * i * j) % 7) - 3) / 4));
  const Y = Array.from({ length: 5 }, (_, k) => Array.from({ length: 6 }, (_, j) => (((2 * k + 3 * j + k * j) % 5) - 2) / 2));
  const w0 = Array.from({ length: 12 }, (_, k) => (((7 * k) % 11) - 5) / 8);
  const v0 = Array.from({ length: 15 }, (_, k) => (((5 * k + 3) % 9) - 4) / 8);
  const b0 = Array.from({ length: 5 }, (_, k) => 0.25 * ((k % 3) - 1));
  return { X, Y, x0: [...w0, ...v0, ...b0] };
}

export const LINEAR_NET_SHAPES: ParamShapes = [
  { name: 'W', shape: [3, 4] },
  { name: 'V', shape: [5, 3] },
  { name: 'b', shape: [5] },
];

/** mean((V·(W·X) + b − Y)²) of the flat vector [W, V, b]. */
export function linearNetLoss(x: tf.Tensor1D): tf.Scalar {
  const { X, Y } = linearNetConstants();
  return tf.tidy(() => {
    const w = x.slice(0, 12).reshape([3, 4]) as tf.Tensor2D;
    const v = x.slice(12, 15).reshape([5, 3]) as tf.Tensor2D;
    const b = x.slice(27, 5).reshape([5, 1]);
    const pred = v.matMul(w.matMul(tf.tensor2d(X))).add(b);
    return pred.sub(tf.tensor2d(Y)).square().mean() as tf.Scalar;
  });
}

/** The fixture's function of the flat vector, and the shapes the rule sees (none: one vector). */
export function problemFor(def: LinearNetDef): { f: (x: tf.Tensor1D) => tf.Scalar; n: number; shapes?: ParamShapes } {
  if (def.name === 'linear_net') return { f: linearNetLoss, n: 32, shapes: LINEAR_NET_SHAPES };
  const fn = testFunctionFor(def);
  return { f: (x) => fn.f(x), n: fn.n };
}

/** The case on tensors through minimize: the losses before each update. */
export async function runOnTensors(fixture: ReferenceFixture, c: ReferenceCase, steps: number): Promise<number[]> {
  const { f, shapes } = problemFor(fixture.function);
  const optimizer = optimizerFactory(c.optimizer).create(c.hp, shapes);
  const x0 = tf.tensor1d(Array.from(fixture.x0));
  const losses: number[] = [];
  const evaluate = evaluatorOf(f);
  const result = await minimize({ evaluate, x0, optimizer, schedule: constantSchedule(c.lr), steps, onMetrics: (b) => losses.push(...b.map((m) => m.loss)) });
  result.params.dispose();
  x0.dispose();
  assert.equal(losses.length, steps, `run ended '${result.status}' after ${losses.length} steps`);
  return losses;
}

/**
 * The case as a compiled run does it: the objective compiled to plain JS, the rule's compiled form,
 * minimizeArrays. A string when the rule does not compile at these shapes (why, as the run reports it).
 */
export async function runCompiled(fixture: ReferenceFixture, c: ReferenceCase, steps: number): Promise<number[] | string> {
  const { f, n, shapes } = problemFor(fixture.function);
  const optimizer = optimizerFactory(c.optimizer).create(c.hp, shapes);
  const arrays = optimizer.arrays;
  if (!arrays) return optimizer.arraysUnavailable ?? 'no reason given';
  const compiled = new CompiledValueAndGrad((x) => f(x), n);
  const objective: ArrayObjective = { size: n, valueAndGrad: (x, _step, g) => compiled.run(x, [], g), lastGradNormSq: () => compiled.gradNormSq };
  const losses: number[] = [];
  const result = await minimizeArrays({
    objective, x0: Float32Array.from(fixture.x0), optimizer: arrays, schedule: constantSchedule(c.lr), steps,
    onMetrics: (b) => losses.push(...b.map((m) => m.loss)),
  });
  assert.equal(losses.length, steps, `run ended '${result.status}' after ${losses.length} steps`);
  return losses;
}
