import { strict as assert } from 'node:assert';
import { oneCycleSchedule } from '../../../../src/core/schedules/oneCycleSchedule';
import { parseSchedule } from '../../../../src/core/schedules/parseSchedule';
import { sampleSchedule } from '../../../../src/core/schedules/sampleSchedule';

describe('sampleSchedule', () => {
  it('previews the lr of each update without running anything', () => {
    // StepLR, lr 1, γ 0.5 every 2 steps: 1, 1, 0.5, 0.5, 0.25.
    assert.deepEqual(sampleSchedule(parseSchedule('step:step_size=2,gamma=0.5', 1), 5), [1, 1, 0.5, 0.5, 0.25]);
    assert.deepEqual(sampleSchedule(parseSchedule('constant', 0.3), 3), [0.3, 0.3, 0.3]);
    assert.deepEqual(sampleSchedule(parseSchedule('cosine', 1), 0), []);
  });

  it('gives the same numbers however often it is sampled', () => {
    const s = parseSchedule('warmup:steps=5+cosine-restarts:T_0=4,T_mult=2', 0.1);
    assert.deepEqual(sampleSchedule(s, 50), sampleSchedule(s, 50));
  });

  it('previews plateau as its initial lr (it has seen no loss)', () => {
    assert.deepEqual(sampleSchedule(parseSchedule('plateau:patience=0', 0.2), 4), [0.2, 0.2, 0.2, 0.2]);
    assert.deepEqual(sampleSchedule(parseSchedule('warmup:steps=2,start_factor=0.5+plateau', 0.25), 4), [0.125, 0.1875, 0.25, 0.25]);
  });
});

describe('onecycle past total_steps', () => {
  it('holds the final lr, max_lr/(div_factor·final_div_factor), where torch would raise', () => {
    const s = oneCycleSchedule({ max_lr: 1, total_steps: 100, anneal_strategy: 'linear' });
    const minLr = 1 / 25 / 1e4;
    assert.ok(Math.abs(s.lrAt(99) - minLr) < 1e-9 * minLr, `step 99: ${s.lrAt(99)}`);
    assert.equal(s.lrAt(100), minLr);
    assert.equal(s.lrAt(10_000), minLr);
    assert.equal(s.lrAt(0), 1 / 25);
    assert.ok(sampleSchedule(s, 200).every((lr) => lr > 0));
  });
});
