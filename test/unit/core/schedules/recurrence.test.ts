import { strict as assert } from 'node:assert';
import { recurrence } from '../../../../src/core/schedules/recurrence';

describe('recurrence (the lr of chainable schedules, step by step)', () => {
  /** lr_k = k(k+1)/2 as a recurrence, counting the calls of `next`. */
  const triangular = () => {
    const calls = { n: 0 };
    const at = recurrence(() => 0, (k, prev) => {
      calls.n += 1;
      return prev + k;
    });
    return { at, calls };
  };

  it('gives every term, in any order, calling next once per step while the steps are kept', () => {
    const { at, calls } = triangular();
    assert.equal(at(10), 55);
    assert.equal(at(3), 6);
    assert.equal(at(0), 0);
    assert.equal(at(10), 55);
    assert.equal(calls.n, 10);
  });

  it('past the kept steps, a jump back recomputes from the nearest checkpoint (at most 1024 steps)', () => {
    const { at, calls } = triangular();
    const k = 200_000;
    assert.equal(at(k), (k * (k + 1)) / 2);
    assert.equal(calls.n, k);
    const back = 150_000 + 700;
    assert.equal(at(back), (back * (back + 1)) / 2);
    assert.ok(calls.n - k <= 1024, `${calls.n - k} calls for the jump back`);
    // Steps inside the kept part cost nothing.
    assert.equal(at(131_071), (131_071 * 131_072) / 2);
    assert.ok(calls.n - k <= 1024);
  });

  it('a failing step fails every time it is asked for; the steps before it stay', () => {
    const at = recurrence(() => 1, (k, prev) => {
      if (k === 4) throw new Error('no step 4');
      return prev * 2;
    });
    assert.throws(() => at(6), /no step 4/);
    assert.equal(at(3), 8);
    assert.throws(() => at(4), /no step 4/);
  });

  it('reads a fractional or negative step as the step it falls in (as lrAt callers may pass)', () => {
    const { at } = triangular();
    assert.equal(at(4.7), 10);
    assert.equal(at(-3), 0);
  });
});
