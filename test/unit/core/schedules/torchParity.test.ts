import { strict as assert } from 'node:assert';
import { parseSchedule } from '../../../../src/core/schedules/parseSchedule';
import { loadScheduleFixture, maxRelativeError } from './scheduleFixture';

const fixture = loadScheduleFixture();

describe(`schedules match torch ${fixture.torch} lr_scheduler`, () => {
  it('covers every schedule name, warmup compositions and plateau', () => {
    const names = new Set(fixture.cases.map((c) => c.spec.split(/[:+]/)[0]));
    for (const n of ['constant', 'step', 'multistep', 'exponential', 'cosine', 'cosine-restarts', 'onecycle', 'plateau', 'warmup']) {
      assert.ok(names.has(n), `no fixture case for ${n}`);
    }
    assert.ok(fixture.cases.every((c) => c.lrs.length === fixture.steps));
  });

  for (const c of fixture.cases) {
    it(`${c.spec} (lr ${c.baseLr}${c.totalSteps ? `, ${c.totalSteps} steps` : ''}) at every step to 1e-6`, () => {
      const schedule = parseSchedule(c.spec, c.baseLr, c.totalSteps);
      assert.equal(schedule.needsLoss, c.losses !== undefined);
      const ours: number[] = [];
      for (let k = 0; k < c.lrs.length; k++) {
        ours.push(schedule.lrAt(k));
        if (c.losses) schedule.observe(k, c.losses[k]);
      }
      const { error, at } = maxRelativeError(ours, c.lrs);
      assert.ok(error <= 1e-6, `step ${at}: ours ${ours[at]}, torch ${c.lrs[at]} (relative ${error})`);
    });
  }
});
