import { strict as assert } from 'node:assert';
import { armijoBacktracking } from '../../../../src/core/lineSearch/armijoBacktracking';

describe('armijoBacktracking', () => {
  // φ(t) = (t − 1)²: φ(0) = 1, φ'(0) = −2; Armijo with c = 0.5 holds iff t ≤ 1.
  const phi = (t: number): number => (t - 1) ** 2;

  it('halves from t0 until the sufficient-decrease condition holds', () => {
    const r = armijoBacktracking(phi, 1, -2, { t0: 8, beta: 0.5, c: 0.5, maxBacktracks: 50 });
    assert.deepEqual(r.trials, [8, 4, 2, 1]);
    assert.equal(r.t, 1);
    assert.ok(r.accepted);
    assert.ok(r.f <= 1 + 0.5 * r.t * -2);
    assert.ok(!(phi(2) <= 1 + 0.5 * 2 * -2), 'the trial before was rejected');
  });

  it('accepts the first trial when it already qualifies', () => {
    const r = armijoBacktracking(phi, 1, -2, { t0: 0.5, beta: 0.5, c: 1e-4, maxBacktracks: 50 });
    assert.deepEqual(r.trials, [0.5]);
    assert.equal(r.t, 0.5);
  });

  it('stays put (t = 0) when max_backtracks runs out, and treats NaN as a failure', () => {
    const r = armijoBacktracking(phi, 1, -2, { t0: 64, beta: 0.5, c: 0.5, maxBacktracks: 2 });
    assert.deepEqual(r.trials, [64, 32, 16]);
    assert.equal(r.t, 0);
    assert.equal(r.accepted, false);
    assert.equal(r.f, 1);
    const nan = armijoBacktracking(() => NaN, 1, -2, { t0: 1, beta: 0.5, c: 1e-4, maxBacktracks: 3 });
    assert.equal(nan.accepted, false);
    assert.equal(nan.trials.length, 4);
  });
});
