import { strict as assert } from 'node:assert';
import { parseSchedule } from '../../../src/core/schedules/parseSchedule';
import { withLrSet, type LrSet } from '../../../src/runner/lrSet';

/**
 * setLr is absolute: the update it applies from runs at exactly the lr the user set (what lrChanged
 * reports), and a schedule keeps its shape from there on.
 */
describe('an lr set mid-run', () => {
  const setAt = (set: LrSet | undefined) => () => set;

  it('a constant schedule runs at exactly the set lr from its step on, as before it until then', () => {
    const schedule = parseSchedule('constant', 0.1);
    const controlled = withLrSet(schedule, setAt({ lr: 0.0375, step: 5 }));
    assert.deepEqual([3, 4].map((k) => controlled.lrAt(k)), [0.1, 0.1]);
    assert.deepEqual([5, 6, 100].map((k) => controlled.lrAt(k)), [0.0375, 0.0375, 0.0375]);
    assert.equal(withLrSet(schedule, setAt(undefined)).lrAt(7), 0.1);
  });

  it('a cosine schedule: the set step at the set lr, later steps scaled as the schedule changes from there', () => {
    const schedule = parseSchedule('cosine:T_max=100', 0.1);
    const controlled = withLrSet(schedule, setAt({ lr: 0.5, step: 40 }));
    assert.equal(controlled.lrAt(39), schedule.lrAt(39));
    assert.equal(controlled.lrAt(40), 0.5);
    // torch's cosine: η_t = η_max·(1 + cos(πt/T))/2 from 0.1, so the ratio of two steps is that of their cosines.
    const cosineAt = (t: number) => (1 + Math.cos((Math.PI * t) / 100)) / 2;
    for (const t of [41, 60, 99]) {
      const expected = (0.5 * cosineAt(t)) / cosineAt(40);
      assert.ok(Math.abs(controlled.lrAt(t) - expected) <= 1e-9 * expected, `step ${t}: ${controlled.lrAt(t)} vs ${expected}`);
    }
  });

  it('where the schedule is 0 at the set step, the set lr holds (there is no shape to scale)', () => {
    const schedule = parseSchedule('constant', 0);
    assert.equal(withLrSet(schedule, setAt({ lr: 0.01, step: 3 })).lrAt(10), 0.01);
  });
});
