import { strict as assert } from 'node:assert';
import { sampleSchedule } from '../../../../src/core/schedules/sampleSchedule';
import { ScheduleError } from '../../../../src/core/schedules/scheduleError';
import { UserScheduleError, userSchedule, userScheduleForm } from '../../../../src/core/schedules/userSchedule';

describe('user schedule functions', () => {
  it('tells the forms apart by their declared parameters', () => {
    assert.equal(userScheduleForm((step: number) => step), 'factor');
    assert.equal(userScheduleForm((_step: number, lr: number) => lr), 'lr');
    assert.equal(userScheduleForm(() => 1), undefined);
    assert.equal(userScheduleForm((a: number, b: number, c: number) => a + b + c), undefined);
    // JavaScript does not count a parameter with a default value: this is the factor form.
    assert.equal(userScheduleForm((step: number, lr = 1) => step * lr), 'factor');
  });

  it('(step) => factor is LambdaLR: base lr times the factor, from step 0', () => {
    const s = userSchedule((k) => 0.5 ** Math.floor(k / 2), 'factor', 'halving', 0.2, 'f.ts#halving');
    assert.deepEqual(sampleSchedule(s, 5), [0.2, 0.2, 0.1, 0.1, 0.05]);
    assert.equal(s.spec, 'f.ts#halving');
    assert.equal(s.needsLoss, false);
  });

  it('(step, lr) => lr steps from the previous lr from step 1 (step 0 runs at the base lr): MultiplicativeLR(0.9) by hand', () => {
    const seen: [number, number][] = [];
    const s = userSchedule((k, lr) => {
      seen.push([k, lr]);
      return lr * 0.9;
    }, 'lr', 'decay', 1, 'f.ts#decay');
    const lrs = sampleSchedule(s, 4);
    [1, 0.9, 0.81, 0.729].forEach((e, k) => assert.ok(Math.abs(lrs[k] - e) < 1e-15, `step ${k}: ${lrs[k]}`));
    assert.deepEqual(seen.map(([k]) => k), [1, 2, 3]);
    assert.equal(seen[0][1], 1);
  });

  it('calls the function once per step, however often the preview and the run ask', () => {
    let calls = 0;
    const s = userSchedule((k) => {
      calls += 1;
      return 1 / (1 + k);
    }, 'factor', 'inv', 1, 'f.ts#inv');
    sampleSchedule(s, 50);
    for (let k = 0; k < 50; k++) s.lrAt(k);
    assert.equal(calls, 50);
    assert.equal(s.lrAt(3), 0.25);
  });

  describe('a function that fails says which step and how', () => {
    const failure = (fn: (k: number, lr: number) => unknown, form: 'factor' | 'lr', steps: number): UserScheduleError => {
      const s = userSchedule(fn as (...a: number[]) => unknown, form, 'f', 0.1, 'f.ts#f');
      try {
        sampleSchedule(s, steps);
      } catch (e) {
        assert.ok(e instanceof UserScheduleError, String(e));
        assert.ok(e instanceof ScheduleError);
        return e;
      }
      return assert.fail('no error');
    };

    it('a throw: the step, the message and the thrown error', () => {
      const boom = new Error('boom');
      const e = failure((k) => {
        if (k === 5) throw boom;
        return 1;
      }, 'factor', 10);
      assert.equal(e.message, "schedule 'f' threw at step 5: boom");
      assert.equal(e.step, 5);
      assert.equal(e.threw, true);
      assert.equal(e.cause, boom);
    });

    it('not a number', () => {
      const e = failure((k) => (k === 1 ? 'fast' : 1), 'factor', 3);
      assert.equal(e.message, "schedule 'f' returned the string \"fast\" at step 1; it must return a number (the factor on the base lr)");
      assert.equal(e.threw, false);
      assert.match(failure(() => undefined, 'lr', 3).message, /returned undefined at step 1; it must return a number \(the lr\)/);
      assert.match(failure(() => ({ lr: 1 }), 'factor', 3).message, /returned an object \(Object\) at step 0/);
    });

    it('an lr that is negative or not finite', () => {
      assert.equal(failure((k) => (k === 2 ? -2 : 1), 'factor', 4).message, "schedule 'f' gave factor -2 × base lr 0.1 = lr -0.2 at step 2; the lr must be a finite number >= 0");
      assert.equal(failure((k, lr) => (k === 3 ? -lr : lr), 'lr', 5).message, "schedule 'f' gave lr -0.1 at step 3; the lr must be a finite number >= 0");
      assert.match(failure((k) => (k === 0 ? NaN : 1), 'factor', 2).message, /gave factor NaN × base lr 0.1 = lr NaN at step 0/);
      assert.match(failure((_k, lr) => lr / 0, 'lr', 3).message, /gave lr Infinity at step 1/);
    });
  });

  it('refuses a base lr that is not a finite number >= 0', () => {
    assert.throws(() => userSchedule(() => 1, 'factor', 'f', -1, 'f.ts#f'), /base lr must be a finite number >= 0, got -1/);
  });
});
