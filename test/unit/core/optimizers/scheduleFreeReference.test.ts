import { strict as assert } from 'node:assert';
import { loadReferenceFile } from '../../helpers/referenceRuns';
import { describeReferenceParity } from '../../helpers/paperReferenceParity';

// The Python transcription keeps y in the parameter and z in the state, as the authors' train/eval optimizers do,
// and measures at x after eval() (x = y + (1 − 1/β)(z − y)); ours stores x. The records must agree at x,
// on tensors (minimize) and compiled (minimizeArrays), every step at relative 1e-3.
describe('schedule-free: reference (test/fixtures/reference/schedule_free.py, losses at x)', () => {
  it('covers both optimizers with their options on the three functions', () => {
    const reference = loadReferenceFile('schedule_free');
    assert.deepEqual(reference.fixtures.map((f) => f.function.name), ['rosenbrock', 'quadratic', 'logistic']);
    for (const fx of reference.fixtures) {
      assert.deepEqual(fx.cases.map((c) => c.optimizer), ['schedule-free-sgd', 'schedule-free-sgd', 'schedule-free-adamw', 'schedule-free-adamw']);
    }
  });
  describeReferenceParity('schedule_free');
});
