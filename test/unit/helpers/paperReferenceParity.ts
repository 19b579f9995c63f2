import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { ArrayObjective } from '../../../src/core/arrays/contracts';
import { minimizeArrays } from '../../../src/core/arrays/minimizeArrays';
import { CompiledValueAndGrad } from '../../../src/core/compiled/compileValueAndGrad';
import { evaluatorOf } from '../../../src/core/evaluate';
import { minimize } from '../../../src/core/minimize';
import { createOptimizer } from '../../../src/core/optimizers/registry';
import { constantSchedule } from '../../../src/core/schedule';
import { forEachBackend } from './backends';
import { firstParityMismatch, testFunctionFor, type FunctionDef, type TorchCase } from './torchFixtures';

/** test/fixtures/reference/<id>.json, written by the Python transcription of the authors' algorithm next to it. */
interface ReferenceFile {
  readonly torch_version: string;
  readonly steps: number;
  readonly fixtures: readonly { readonly function: FunctionDef; readonly x0: readonly number[]; readonly cases: readonly TorchCase[] }[];
}

const load = (id: string): ReferenceFile => JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'reference', `${id}.json`), 'utf8')) as ReferenceFile;

async function onTensors(fn: ReturnType<typeof testFunctionFor>, x0: readonly number[], c: TorchCase, steps: number): Promise<number[]> {
  const start = tf.tensor1d(Array.from(x0));
  const losses: number[] = [];
  const evaluate = evaluatorOf(fn.f);
  const result = await minimize({
    evaluate: (x) => evaluate(x), x0: start, optimizer: createOptimizer(c.optimizer, c.hp), schedule: constantSchedule(c.lr), steps,
    onMetrics: (batch) => losses.push(...batch.map((m) => m.loss)),
  });
  result.params.dispose();
  start.dispose();
  return losses;
}

async function compiled(fn: ReturnType<typeof testFunctionFor>, x0: readonly number[], c: TorchCase, steps: number): Promise<number[]> {
  const arrays = createOptimizer(c.optimizer, c.hp).arrays;
  assert.ok(arrays, `${c.optimizer} should compile`);
  const program = new CompiledValueAndGrad((x) => fn.f(x), fn.n);
  const objective: ArrayObjective = { size: fn.n, valueAndGrad: (x, _step, g) => program.run(x, [], g), lastGradNormSq: () => program.gradNormSq };
  const losses: number[] = [];
  await minimizeArrays({
    objective, x0: Float32Array.from(x0), optimizer: arrays, schedule: constantSchedule(c.lr), steps,
    onMetrics: (batch) => losses.push(...batch.map((m) => m.loss)),
  });
  return losses;
}

/**
 * Declares the reference test of a paper optimizer: every case of its fixture, 200 steps on the three
 * functions, relative 1e-3 at every step (the torch parity bar), on tensors and compiled, on cpu and wasm.
 */
export function describeReferenceParity(id: string): void {
  const file = load(id);
  describe(`${id}: the authors' algorithm in torch ${file.torch_version} (test/fixtures/reference/${id}.json)`, () => {
    it('covers 200 steps on the three functions', () => {
      assert.deepEqual(file.fixtures.map((f) => f.function.name), ['rosenbrock', 'quadratic', 'logistic']);
      for (const f of file.fixtures) for (const c of f.cases) assert.equal(c.losses.length, file.steps);
    });
    forEachBackend((backend) => {
      for (const fixture of file.fixtures) {
        const fn = testFunctionFor(fixture.function);
        for (const c of fixture.cases) {
          for (const [how, run] of [['tensors', onTensors], ['compiled', compiled]] as const) {
            it(`${fixture.function.name}/${c.name} ${how} (lr ${c.lr}, ${JSON.stringify(c.hp)})`, async () => {
              const before = tf.memory().numTensors;
              const ours = await run(fn, c.x0 ?? fixture.x0, c, file.steps);
              assert.equal(ours.length, file.steps, `ran ${ours.length} of ${file.steps} steps`);
              const bad = firstParityMismatch(ours, c.losses);
              assert.equal(bad, undefined, `${fixture.function.name}/${c.name} ${how} on ${backend}: ${bad}`);
              assert.equal(tf.memory().numTensors, before, 'tensors leaked');
            });
          }
        }
      }
    });
  });
}
