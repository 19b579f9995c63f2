import { strict as assert } from 'node:assert';
import { LrFinderTrace, lrFinderGamma, lrFinderSchedule, suggestLrs } from '../../../../src/core/tuning/lrFinder';

describe('tuning: lr finder', () => {
  it('the schedule takes from to to in `steps` updates (ExponentialLR)', () => {
    const gamma = lrFinderGamma({ from: 1e-7, to: 10, steps: 100 });
    assert.ok(Math.abs(1e-7 * gamma ** 100 - 10) < 1e-9);
    assert.equal(lrFinderSchedule({ from: 1, to: 4, steps: 2 }), 'exponential:gamma=2');
    assert.throws(() => lrFinderGamma({ from: 1, to: 0.5, steps: 10 }), /0 < from < to/);
  });

  it('smooths as fastai does: bias-corrected moving average with beta 0.98', () => {
    const t = new LrFinderTrace();
    t.push(0, 1e-3, 2);
    t.push(1, 2e-3, 1);
    // avg1 = 0.02·2 = 0.04, /(1 − 0.98) = 2; avg2 = 0.98·0.04 + 0.02·1 = 0.0592, /(1 − 0.98²) = 0.0592 / 0.0396.
    assert.ok(Math.abs(t.points[0].smoothed - 2) < 1e-12);
    assert.ok(Math.abs(t.points[1].smoothed - 0.0592 / 0.0396) < 1e-12);
  });

  it('stops once the smoothed loss passes 4x its best, and at a non-finite loss', () => {
    const t = new LrFinderTrace();
    let step = 0;
    while (!t.push(step, step, step < 5 ? 1 : 1000)) step++;
    // Smoothed after five 1s is 1; with 1000 at step 5: (0.98^5·… ) clearly above 4.
    assert.equal(t.stoppedAt, 5);
    const nan = new LrFinderTrace();
    nan.push(0, 1, 1);
    assert.equal(nan.push(1, 2, NaN), true);
    assert.equal(nan.stoppedAt, 1);
    assert.equal(nan.points.length, 1);
  });

  it('suggests the steepest descent against log lr and the minimum / 10, skipping the first tenth and last five points', () => {
    // lr = 10^(k/10), k = 0..39; smoothed loss built to fall fastest between k = 20 and 21 and be lowest at k = 30.
    const smoothed = (k: number) => (k <= 20 ? 10 - 0.1 * k : k === 21 ? 5 : k <= 30 ? 5 - 0.1 * (k - 21) : 4.1 + (k - 30));
    const points = Array.from({ length: 40 }, (_, k) => ({ step: k, lr: 10 ** (k / 10), loss: smoothed(k), smoothed: smoothed(k) }));
    const s = suggestLrs(points, 40);
    assert.ok(Math.abs((s.steepest as number) - 10 ** 2) < 1e-9);
    assert.ok(Math.abs((s.minimumOverTen as number) - 10 ** 3 / 10) < 1e-9);
    assert.deepEqual(suggestLrs(points.slice(0, 6), 40), {});
  });
});
