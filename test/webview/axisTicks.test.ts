/** The axis tick generator (webview/charts/axisTicks.ts), in Node. Expected values are worked out by hand. */
import * as assert from 'node:assert/strict';
import { formatTick, linearTicks, logTicks, spaceBounds, tickBudget } from '../../webview/charts/axisTicks';

describe('axis ticks', () => {
  it('labels a log axis within one decade with evenly spaced nice values (Himmelblau under Adam: 170 → 138.9)', () => {
    // No 1, 2 or 5 × 10^k lies in 138.9..170; steps of 5 give 7 values (> 5), steps of 10 give 140..170.
    assert.deepEqual(logTicks(138.9, 170, 5), [140, 150, 160, 170]);
    // 26..50 holds only 50 of the 1-2-5 ladder; steps of 5 give 30..50, whose closest pair (45, 50) is
    // log10(50/45) = 0.046 apart, more than 0.7 × log10(50/26) / 5 = 0.040.
    assert.deepEqual(logTicks(26, 50, 5), [30, 35, 40, 45, 50]);
    // 139..141: steps of 0.2 give 11 values (> 7), steps of 0.5 give 5.
    assert.deepEqual(logTicks(139, 141, 7), [139, 139.5, 140, 140.5, 141]);
  });

  it('keeps two labels where one nice value falls in the range: the ends of the next finer step', () => {
    // 1.1..1.9 with room for 2: steps of 0.5 leave only 1.5; steps of 0.2 give 1.2..1.8 (4), whose ends are kept.
    assert.deepEqual(logTicks(1.1, 1.9, 2), [1.2, 1.8]);
    assert.deepEqual(linearTicks(1.1, 1.9, 2), [1.2, 1.8]);
  });

  it('prefers 1-2-5 over a decade or so, powers of ten over many, every other power when they do not fit', () => {
    // 2..30: 2, 5, 10, 20 (4) beat the evenly spaced 10, 20, 30 (steps of 5 put 25 and 30 0.079 decades apart,
    // under 0.7 × log10(15) / 5 = 0.165).
    assert.deepEqual(logTicks(2, 30, 5), [2, 5, 10, 20]);
    assert.deepEqual(logTicks(0.5, 3, 5), [0.5, 1, 2]);
    // 0.001..50: the 1-2-5 ladder has 15 values; the powers 1e-3..10 are 5.
    assert.deepEqual(logTicks(1e-3, 50, 5), [1e-3, 1e-2, 0.1, 1, 10]);
    // With room for 4: every second power, aligned to even exponents (1e-2, 1e0).
    assert.deepEqual(logTicks(1e-3, 50, 4), [1e-2, 1]);
    // 0.5..5 with room for 2: the powers give only 1, so the ends of the 1-2-5 ladder.
    assert.deepEqual(logTicks(0.5, 5, 2), [0.5, 5]);
    // 1e-12..1e12 with room for 7: every 5th power would be 5 values (1e-10, 1e-5, 1, 1e5, 1e10); every 3rd is 9.
    assert.deepEqual(logTicks(1e-12, 1e12, 7), [1e-10, 1e-5, 1, 1e5, 1e10]);
  });

  it('gives at least two distinct, in-range labels that fit the budget for any log range', () => {
    for (let lo = -8; lo <= 6; lo += 0.37) {
      for (const decades of [1e-4, 3e-3, 0.02, 0.08, 0.3, 0.7, 1, 1.4, 2.2, 3, 4.6, 7, 12]) {
        for (let budget = 2; budget <= 8; budget++) {
          const min = 10 ** lo, max = 10 ** (lo + decades);
          const ticks = logTicks(min, max, budget);
          const at = `${min}..${max} budget ${budget}: ${ticks.join(', ')}`;
          assert.ok(ticks.length >= 2 && ticks.length <= budget, `${at}: 2..${budget} values`);
          assert.ok(ticks.every((v, i) => v >= min * (1 - 1e-12) && v <= max * (1 + 1e-12) && (i === 0 || v > ticks[i - 1])), `${at}: ascending, on the axis`);
          const labels = ticks.map(formatTick);
          assert.equal(new Set(labels).size, labels.length, `${at}: labels ${labels.join(', ')} differ`);
          // A range 1e-4 decades wide needs six significant digits for five labels ("1.00015e-8"); none needs more.
          assert.ok(labels.every((l) => l.length <= 10), `${at}: labels ${labels.join(', ')} are short`);
        }
      }
    }
  });

  it('linear axes: nice steps within the budget, free of float noise', () => {
    // 0..2000 with room for 8: steps of 200 give 11 values, steps of 500 give 5.
    assert.deepEqual(linearTicks(0, 2000, 8), [0, 500, 1000, 1500, 2000]);
    assert.deepEqual(linearTicks(0.9999, 1.0001, 3), [0.9999, 1, 1.0001]);
    assert.deepEqual(linearTicks(-0.3, 0.3, 7), [-0.3, -0.2, -0.1, 0, 0.1, 0.2, 0.3]);
  });

  it('drops a nice tick that crowds a set bound, keeping the bound', () => {
    // A domain of −5..5 ticked every 2: −5 and −4 are 1 apart, under half the step of 2.
    assert.deepEqual(spaceBounds([-5, -4, -2, 0, 2, 4, 5]), [-5, -2, 0, 2, 5]);
    assert.deepEqual(spaceBounds([-1, 0, 1, 2, 3]), [-1, 0, 1, 2, 3], 'regular ticks stay');
    assert.deepEqual(spaceBounds([0, 0.1, 2, 2.1]), [0, 0.1, 2, 2.1], 'three or fewer regular steps: left alone');
  });

  it('formats ticks compactly with the dashboard\'s ranges: exponential from 1e4 and below 1e-3', () => {
    assert.deepEqual([1e-5, 2.5e4, 12345, -2e-4, 0.001, 139.5, 0.1 + 0.2, 0, 9999].map(formatTick),
      ['1e-5', '2.5e4', '1.2345e4', '-2e-4', '0.001', '139.5', '0.3', '0', '9999']);
  });

  it('budgets labels by axis length: 22 px per label up the side, 64 px along the bottom', () => {
    assert.equal(tickBudget(140, false), 6); // floor(140 / 22)
    assert.equal(tickBudget(330, true), 5); // floor(330 / 64)
    assert.equal(tickBudget(20, false), 2, 'never below two');
    assert.equal(tickBudget(5000, false), 8, 'never above eight up the side');
    assert.equal(tickBudget(5000, true), 8, 'never above eight along the bottom');
  });
});
