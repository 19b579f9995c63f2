import { strict as assert } from 'node:assert';
import { bracketMinimum } from '../../../../src/core/lineSearch/bracketMinimum';
import { brentMinimize } from '../../../../src/core/lineSearch/brentMinimize';

function counted(phi: (x: number) => number) {
  const seen: number[] = [];
  return { seen, phi: (x: number) => (seen.push(x), phi(x)) };
}

describe('bracketMinimum', () => {
  it('expands by the golden ratio when the first trial is too short', () => {
    const { phi, seen } = counted((x) => (x - 10) ** 2);
    const b = bracketMinimum(phi, 100, 1, 50);
    assert.ok(b);
    assert.ok(b.a < 10 && 10 < b.c && b.fb < b.fa && b.fb <= b.fc);
    assert.ok(seen.length < 10);
  });

  it('shrinks towards 0 when the first trial overshoots', () => {
    const { phi } = counted((x) => (x - 0.01) ** 2);
    const b = bracketMinimum(phi, 1e-4, 5, 50);
    assert.ok(b);
    assert.equal(b.a, 0);
    assert.ok(b.b < b.c && b.fb < b.fa && b.fb <= b.fc);
  });

  it('reports failure when the budget runs out or φ never drops below φ(0)', () => {
    assert.equal(bracketMinimum((x) => -x, 0, 1, 5), undefined);
    assert.equal(bracketMinimum((x) => x, 0, 1, 20), undefined);
  });
});

describe('brentMinimize', () => {
  it('finds the minimiser of a smooth function to the tolerance (float64)', () => {
    const f = (x: number): number => (x - 0.3) ** 2 + 0.1 * (x - 0.3) ** 4;
    const b = bracketMinimum(f, f(0), 0.05, 50);
    assert.ok(b);
    const r = brentMinimize(f, b, 1e-8, 100);
    assert.ok(r.converged);
    assert.ok(Math.abs(r.x - 0.3) < 1e-7, `x = ${r.x}`);
  });

  it('converges in few evaluations on a parabola (parabolic steps) and finds a kink by golden sections', () => {
    const parabola = counted((x) => 3 * (x - 2) ** 2 + 1);
    const r1 = brentMinimize(parabola.phi, { a: 0, b: 1, c: 5, fa: 13, fb: 4, fc: 28 }, 1e-8, 100);
    assert.ok(Math.abs(r1.x - 2) < 1e-7);
    assert.ok(r1.evals <= 10, `evals ${r1.evals}`);
    const kink = (x: number): number => Math.abs(x - 0.7);
    const r2 = brentMinimize(kink, { a: 0, b: 0.5, c: 2, fa: 0.7, fb: 0.2, fc: 1.3 }, 1e-8, 200);
    assert.ok(r2.converged);
    assert.ok(Math.abs(r2.x - 0.7) < 1e-6, `x = ${r2.x}`);
  });

  it('stops at max_evals with the best point so far', () => {
    const r = brentMinimize((x) => Math.abs(x - 0.7), { a: 0, b: 0.5, c: 2, fa: 0.7, fb: 0.2, fc: 1.3 }, 1e-12, 3);
    assert.equal(r.evals, 3);
    assert.equal(r.converged, false);
    assert.ok(r.f <= 0.2);
  });
});
