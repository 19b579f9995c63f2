import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import type { ArrayObjective } from '../../../src/core/arrays/contracts';
import { minimizeArrays } from '../../../src/core/arrays/minimizeArrays';
import { CompiledValueAndGrad } from '../../../src/core/compiled/compileValueAndGrad';
import { FIRST_ORDER_RULES } from '../../../src/core/optimizers/firstOrder';
import { createOptimizer } from '../../../src/core/optimizers/registry';
import { constantSchedule } from '../../../src/core/schedule';
import { forEachBackend } from '../helpers/backends';
import { FIXTURE_FILES, firstParityMismatch, loadTorchFixture, testFunctionFor } from '../helpers/torchFixtures';

/**
 * parity.test.ts's torch fixtures (relative 1e-3 at every one of 200 steps), run as a compiled run
 * does: the objective compiled to plain JS, minimizeArrays, and the built-in rule's compiled form
 * (fused JS loops at the fixtures' sizes, its scalars replayed from the rule every step).
 */
const fixtures = FIXTURE_FILES.map(loadTorchFixture);
const RULE_IDS = new Set(FIRST_ORDER_RULES.map((r) => r.id));

describe('parity with torch.optim, compiled (committed fixtures through minimizeArrays)', () => {
  it("the fixtures' first-order optimizers are all built-in rules, maximize included", () => {
    const firstOrder = fixtures.flatMap((f) => f.cases.filter((c) => c.optimizer !== 'lbfgs'));
    for (const c of firstOrder) assert.ok(RULE_IDS.has(c.optimizer), c.optimizer);
    assert.ok(firstOrder.some((c) => c.maximize));
  });

  forEachBackend((backend) => {
    for (const fixture of fixtures) {
      const fn = testFunctionFor(fixture.function);
      for (const c of fixture.cases.filter((k) => RULE_IDS.has(k.optimizer))) {
        it(`${fixture.function.name}/${c.name} (${c.optimizer}, lr ${c.lr}, ${JSON.stringify(c.hp)}${c.maximize ? ', maximize' : ''})`, async () => {
          const before = tf.memory().numTensors;
          const arrays = createOptimizer(c.optimizer, c.hp).arrays;
          assert.ok(arrays, `${c.optimizer} should compile`);
          const compiled = new CompiledValueAndGrad((x) => fn.f(x), fn.n);
          // torch maximized −f: as in parity.test.ts we minimise f (−(−f), exact in float32) and report −f.
          const objective: ArrayObjective = { size: fn.n, valueAndGrad: (x, _step, g) => compiled.run(x, [], g), lastGradNormSq: () => compiled.gradNormSq };
          const losses: number[] = [];
          const result = await minimizeArrays({
            objective, x0: Float32Array.from(c.x0 ?? fixture.x0), optimizer: arrays, schedule: constantSchedule(c.lr), steps: fixture.steps,
            onMetrics: (batch) => losses.push(...batch.map((m) => (c.maximize ? -m.loss : m.loss))),
          });
          assert.equal(losses.length, fixture.steps, `run ended '${result.status}' after ${losses.length} steps`);
          const bad = firstParityMismatch(losses, c.losses);
          assert.equal(bad, undefined, `${fixture.function.name}/${c.name} compiled on ${backend}: ${bad}`);
          assert.equal(tf.memory().numTensors, before, 'tensors leaked');
        });
      }
    }
  });
});
