import { strict as assert } from 'node:assert';
import { cubicInterpolate } from '../../../../src/core/lineSearch/cubicInterpolate';

describe('cubicInterpolate', () => {
  it('returns the exact minimiser of a cubic from two points and slopes', () => {
    // f(x) = x³ − 3x: f(0) = 0, f'(0) = −3; f(2) = 2, f'(2) = 9; minimiser x = 1.
    assert.ok(Math.abs(cubicInterpolate(0, 0, -3, 2, 2, 9) - 1) < 1e-12);
    // Same cubic with the points given in the other order.
    assert.ok(Math.abs(cubicInterpolate(2, 2, 9, 0, 0, -3) - 1) < 1e-12);
  });

  it('clamps to the bounds', () => {
    assert.equal(cubicInterpolate(0, 0, -3, 2, 2, 9, [1.5, 3]), 1.5);
    assert.equal(cubicInterpolate(0, 0, -3, 2, 2, 9, [-1, 0.25]), 0.25);
  });

  it('falls back to the middle of the bounds when the cubic has no real minimiser', () => {
    // d1 = 8 − 9 = −1, d1² − g1·g2 = 1 − 16 < 0.
    assert.equal(cubicInterpolate(0, 0, 4, 1, 3, 4), 0.5);
    assert.equal(cubicInterpolate(0, 0, 4, 1, 3, 4, [2, 6]), 4);
  });
});
