import { strict as assert } from 'node:assert';
import { strongWolfe, type LinePoint } from '../../../../src/core/lineSearch/strongWolfe';

type Vec = number[];
const rosen = (x: Vec): number => 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2;
const rosenGrad = (x: Vec): Vec => [-400 * x[0] * (x[1] - x[0] ** 2) - 2 * (1 - x[0]), 200 * (x[1] - x[0] ** 2)];
const dot = (u: Vec, v: Vec): number => u[0] * v[0] + u[1] * v[1];

/** A line search along d from x on Rosenbrock, in float64; gradients are arrays so ownership is visible. */
function searchRosenbrock(x: Vec, d: Vec, t0: number) {
  const at = (t: number): Vec => [x[0] + t * d[0], x[1] + t * d[1]];
  const g0 = rosenGrad(x);
  const start: LinePoint<Vec> = { f: rosen(x), g: g0, gtd: dot(g0, d) };
  const released: Vec[] = [];
  const phi = (t: number): LinePoint<Vec> => {
    const g = rosenGrad(at(t));
    return { f: rosen(at(t)), g, gtd: dot(g, d) };
  };
  const result = strongWolfe(phi, t0, start, Math.max(Math.abs(d[0]), Math.abs(d[1])), {}, (g) => released.push(g));
  return { result, start, released, at };
}

describe('strongWolfe', () => {
  const c1 = 1e-4;
  const c2 = 0.9;
  const cases: { name: string; x: Vec; d: (g: Vec) => Vec; t0: number }[] = [
    { name: 'steepest descent from (−1.2, 1), t0 = 1 (overshoots: zoom)', x: [-1.2, 1], d: (g) => [-g[0], -g[1]], t0: 1 },
    { name: 'steepest descent from (−1.2, 1), t0 = 1e-6 (too short: extrapolation)', x: [-1.2, 1], d: (g) => [-g[0], -g[1]], t0: 1e-6 },
    { name: 'steepest descent from (0, 0), t0 = 1e-3', x: [0, 0], d: (g) => [-g[0], -g[1]], t0: 1e-3 },
    { name: 'towards the minimum from (−1.2, 1), t0 = 1', x: [-1.2, 1], d: () => [2.2, 0], t0: 1 },
  ];
  for (const c of cases) {
    it(`returns a step meeting both strong Wolfe conditions: ${c.name}`, () => {
      const d = c.d(rosenGrad(c.x));
      const { result, start, at } = searchRosenbrock(c.x, d, c.t0);
      assert.ok(start.gtd < 0, 'test needs a descent direction');
      const x1 = at(result.t);
      const f1 = rosen(x1);
      const gtd1 = dot(rosenGrad(x1), d);
      assert.ok(result.t > 0);
      assert.ok(f1 <= start.f + c1 * result.t * start.gtd, `sufficient decrease: f(t) = ${f1}, f0 = ${start.f}`);
      assert.ok(Math.abs(gtd1) <= -c2 * start.gtd, `curvature: |φ'(t)| = ${Math.abs(gtd1)}, −c2·φ'(0) = ${-c2 * start.gtd}`);
      assert.equal(result.f, f1);
      assert.equal(result.trials.length, result.evals);
      assert.equal(result.trials[0], c.t0);
    });
  }

  it('releases every gradient it produced except the one it returns', () => {
    const x = [-1.2, 1];
    const g = rosenGrad(x);
    const { result, released } = searchRosenbrock(x, [-g[0], -g[1]], 1);
    assert.ok(result.evals > 1, 'this case needs several trials');
    assert.equal(released.length, result.evals - 1);
    assert.ok(!released.includes(result.g));
  });

  it('gives up after max_ls evaluations on a line with no minimum', () => {
    // φ(t) = −t: always decreasing, the slope never flattens; the bracket is [0, t_last].
    const phi = (t: number): LinePoint<number> => ({ f: -t, g: t, gtd: -1 });
    const result = strongWolfe(phi, 1, { f: 0, g: 0, gtd: -1 }, 1, { maxLs: 5 }, () => undefined);
    assert.equal(result.evals, 6);
    assert.ok(result.t > 1 && result.f === -result.t);
  });
});
