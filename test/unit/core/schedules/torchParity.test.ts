import { strict as assert } from 'node:assert';
import { parseSchedule } from '../../../../src/core/schedules/parseSchedule';
import { scheduleNames } from '../../../../src/core/schedules/scheduleKinds';
import { loadScheduleFixture, maxRelativeError } from './scheduleFixture';

const fixture = loadScheduleFixture();

describe(`schedules match torch ${fixture.torch} lr_scheduler`, () => {
  it('covers every schedule name, compositions and plateau', () => {
    const names = new Set(fixture.cases.map((c) => c.spec.split(/[:+*]/)[0]));
    for (const n of scheduleNames) assert.ok(names.has(n), `no fixture case for ${n}`);
    const specs = fixture.cases.map((c) => c.spec);
    const has = (pattern: RegExp, what: string) => assert.ok(specs.some((s) => pattern.test(s)), `no fixture case with ${what}`);
    for (const mode of ['triangular2', 'exp_range']) has(new RegExp(`^cyclic:.*mode=${mode}(,|$)`), `cyclic mode=${mode}`);
    has(/^cyclic:(?!.*mode=)[^*+]*$/, 'cyclic in its default mode, triangular');
    has(/^polynomial:.*power=(?!1(,|$))/, 'polynomial with a power other than 1');
    has(/^sequential:milestones=\d+;\d+\+/, 'a sequential of 3 phases');
    has(/^[a-z-]+(:[^*+]*)?\*[a-z-]+(:[^*+]*)?$/, 'a chain of two');
    has(/^sequential:.*\+multiplicative/, 'a multiplicative phase after a milestone');
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
