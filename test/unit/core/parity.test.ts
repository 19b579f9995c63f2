import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { evaluatorOf, negated } from '../../../src/core/evaluate';
import { minimize } from '../../../src/core/minimize';
import { createOptimizer } from '../../../src/core/optimizers/registry';
import { constantSchedule } from '../../../src/core/schedule';
import type { Logistic, Quadratic } from '../../../src/core/testFunctions';
import { forEachBackend } from '../helpers/backends';
import { FIXTURE_FILES, loadTorchFixture, testFunctionFor, type TorchCase, type TorchFixture, firstParityMismatch } from '../helpers/torchFixtures';


const fixtures = FIXTURE_FILES.map(loadTorchFixture);


/** Runs the case with our optimizer and returns the recorded losses in torch's sign convention. */
async function runCase(fixture: TorchFixture, c: TorchCase): Promise<number[]> {
  const fn = testFunctionFor(fixture.function);
  const optimizer = createOptimizer(c.optimizer, c.hp);
  // torch maximized g = −f; our maximize is generic: minimise −g and report g.
  const g = c.maximize ? negated(evaluatorOf(fn.f)) : evaluatorOf(fn.f);
  const objective = c.maximize ? negated(g) : g;
  const x0 = tf.tensor1d(Array.from(c.x0 ?? fixture.x0));
  const losses: number[] = [];
  const result = await minimize({
    evaluate: (x) => objective(x),
    x0,
    optimizer,
    schedule: constantSchedule(c.lr),
    steps: fixture.steps,
    onMetrics: (batch) => losses.push(...batch.map((m) => (c.maximize ? -m.loss : m.loss))),
  });
  result.params.dispose();
  x0.dispose();
  assert.equal(
    losses.length,
    fixture.steps,
    `${fixture.function.name}/${c.name}: run ended '${result.status}' after ${losses.length} of ${fixture.steps} steps` +
      (result.divergedAt !== undefined ? ` (non-finite at step ${result.divergedAt})` : ''),
  );
  return losses;
}

describe('parity with torch.optim (committed fixtures)', () => {
  it('fixtures cover 200 steps of every torch optimizer on three functions', () => {
    const ids = new Set(fixtures.flatMap((f) => f.cases.map((c) => c.optimizer)));
    assert.deepEqual([...ids].sort(), ['adadelta', 'adagrad', 'adam', 'adamax', 'adamw', 'asgd', 'lbfgs', 'nadam', 'radam', 'rmsprop', 'rprop', 'sgd']);
    for (const f of fixtures) {
      assert.equal(f.steps, 200);
      for (const c of f.cases) assert.equal(c.losses.length, 200, `${f.file}/${c.name}`);
    }
  });

  it('the TS test functions are built from the same constants as the fixtures', () => {
    for (const f of fixtures) {
      const fn = testFunctionFor(f.function);
      assert.deepEqual(fn.x0, f.x0, `${f.file}: x0`);
      if (f.function.name === 'quadratic') {
        assert.deepEqual((fn as Quadratic).q, f.function.Q, 'Q');
        assert.deepEqual((fn as Quadratic).d, f.function.d, 'd');
      }
      if (f.function.name === 'logistic') {
        assert.deepEqual((fn as Logistic).a, f.function.A, 'A');
        assert.deepEqual((fn as Logistic).y, f.function.y, 'y');
      }
    }
  });

  forEachBackend((backend) => {
    for (const fixture of fixtures) {
      describe(`${fixture.function.name} (torch ${fixture.torch_version})`, () => {
        for (const c of fixture.cases) {
          it(`${c.name} (${c.optimizer}, lr ${c.lr}, ${JSON.stringify(c.hp)}${c.maximize ? ', maximize' : ''})`, async () => {
            const before = tf.memory().numTensors;
            const ours = await runCase(fixture, c);
            const bad = firstParityMismatch(ours, c.losses);
            assert.equal(bad, undefined, `${fixture.function.name}/${c.name} on ${backend}: ${bad}`);
            assert.equal(tf.memory().numTensors, before, `${fixture.function.name}/${c.name}: tensors leaked`);
          });
        }
      });
    }
  });
});
