import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { forEachBackend } from '../../helpers/backends';
import { loadReferenceFile, runReferenceCase } from '../../helpers/referenceRuns';
import { firstParityMismatch } from '../../helpers/torchFixtures';

// The Python transcription keeps y in the parameter and z in the state, as the authors' train/eval optimizers do,
// and measures at x after eval() (x = y + (1 − 1/β)(z − y)); ours stores x. The records must agree at x.
describe('schedule-free: reference (test/fixtures/reference/schedule_free.py, losses at x)', () => {
  const reference = loadReferenceFile('schedule_free');

  it('covers both optimizers on the three functions for 200 steps', () => {
    assert.deepEqual(reference.fixtures.map((f) => f.function.name), ['rosenbrock', 'quadratic', 'logistic']);
    for (const fx of reference.fixtures) {
      assert.deepEqual([...new Set(fx.cases.map((c) => c.optimizer))], ['schedule-free-sgd', 'schedule-free-adamw']);
      for (const c of fx.cases) assert.equal(c.losses.length, 200);
    }
  });

  forEachBackend((backend) => {
    for (const fx of reference.fixtures) {
      for (const c of fx.cases) {
        it(`${fx.function.name}: ${c.name} (lr ${c.lr}, ${JSON.stringify(c.hp)})`, async () => {
          const before = tf.memory().numTensors;
          const records = await runReferenceCase(fx, c, reference.steps);
          assert.equal(records.length, reference.steps);
          const bad = firstParityMismatch(records.map((r) => r.loss), c.losses);
          assert.equal(bad, undefined, `${fx.function.name}/${c.name} on ${backend}: ${bad}`);
          assert.equal(tf.memory().numTensors, before);
        });
      }
    }
  });
});
