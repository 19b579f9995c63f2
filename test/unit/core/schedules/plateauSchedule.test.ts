import { strict as assert } from 'node:assert';
import { parseSchedule } from '../../../../src/core/schedules/parseSchedule';
import { plateauSchedule } from '../../../../src/core/schedules/plateauSchedule';
import { ScheduleError } from '../../../../src/core/schedules/scheduleError';
import { loadScheduleFixture, maxRelativeError } from './scheduleFixture';

const plateauCases = loadScheduleFixture().cases.filter((c) => c.losses !== undefined && !c.spec.includes('+'));

describe('plateau schedule', () => {
  it('has torch cases to compare with', () => assert.ok(plateauCases.length >= 5));

  it('keeps its lr history: lrAt of a past step is the lr that step used', () => {
    const c = plateauCases[0];
    const s = parseSchedule(c.spec, c.baseLr);
    c.losses?.forEach((loss, k) => s.observe(k, loss));
    const replay = c.lrs.map((_, k) => s.lrAt(k));
    assert.ok(maxRelativeError(replay, c.lrs).error <= 1e-6);
    assert.ok(c.lrs[c.lrs.length - 1] < c.baseLr, 'the fixture reduces the lr');
    assert.equal(s.lrAt(10_000), s.lrAt(c.lrs.length));
  });

  it('refuses losses out of step order (a reused schedule)', () => {
    const s = plateauSchedule(0.1);
    s.observe(0, 1);
    assert.throws(() => s.observe(0, 1), ScheduleError);
    assert.throws(() => s.observe(5, 1), /given the loss of step 5; it expected step 1/);
  });

  it('counts a NaN loss as no improvement, as torch does', () => {
    const s = plateauSchedule(1, { patience: 1, factor: 0.5 });
    [1, NaN, NaN, 0.5].forEach((loss, k) => s.observe(k, loss));
    assert.deepEqual([0, 1, 2, 3, 4].map((k) => s.lrAt(k)), [1, 1, 1, 0.5, 0.5]);
  });

  for (const c of plateauCases) {
    it(`after a warmup, runs as torch's ${c.spec} shifted by the warmup`, () => {
      const steps = 12;
      const s = parseSchedule(`warmup:steps=${steps},start_factor=0.25+${c.spec}`, c.baseLr);
      assert.equal(s.needsLoss, true);
      const losses = c.losses ?? [];
      const ours: number[] = [];
      for (let k = 0; k < steps + losses.length; k++) {
        ours.push(s.lrAt(k));
        // Losses during the warmup are ignored; a huge one would otherwise set `best`.
        s.observe(k, k < steps ? 1e9 * (k % 2 === 0 ? 1 : -1) : losses[k - steps]);
      }
      ours.slice(0, steps).forEach((lr, k) => assert.ok(Math.abs(lr - c.baseLr * (0.25 + (0.75 * k) / steps)) < 1e-15));
      const after = ours.slice(steps);
      const { error, at } = maxRelativeError(after, c.lrs);
      assert.ok(error <= 1e-6, `step ${at} after warmup: ours ${after[at]}, torch ${c.lrs[at]}`);
    });
  }
});
