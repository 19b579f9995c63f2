import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { ParamLayout } from '../../../src/core/paramLayout';
import { selectBackend } from '../../../src/runner/backend';
import { evaluatePlane } from '../../../src/runner/evaluatePlane';
import { hessianDirections, interpolationLine, pcaDirections, projectOnPlane } from '../../../src/runner/pathDirections';
import { createRng } from '../../../src/runner/rng';

const f32 = (xs: number[]) => Float32Array.from(xs);
const near = (a: number, b: number, tol = 1e-5) => Math.abs(a - b) <= tol;
/** |cos| of the angle between two vectors (directions are defined up to sign). */
const alignment = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
  return Math.abs(ab) / Math.sqrt(aa * bb);
};

describe('path directions (PCA, Hessian, projections, interpolation)', () => {
  it('PCA of a hand-computed path: ±2 along x and ±1 along y around the final point → e₁ (80 %) and e₂ (20 %)', () => {
    // Centred differences (2,0,0), (−2,0,0), (0,1,0), (0,−1,0): variances 8/4 = 2 along x, 2/4 = 0.5 along y, 0 along z.
    const origin = f32([1, 1, 1]);
    const points = [[3, 1, 1], [-1, 1, 1], [1, 2, 1], [1, 0, 1]].map(f32);
    const pca = pcaDirections(points, origin);
    assert.ok(pca?.explained);
    assert.ok(near(pca.explained[0], 0.8) && near(pca.explained[1], 0.2), String(pca.explained));
    assert.ok(near(alignment(pca.dirs[0], [1, 0, 0]), 1) && near(alignment(pca.dirs[1], [0, 1, 0]), 1));
    assert.ok(near(Math.hypot(...pca.dirs[0]), 1) && near(Math.hypot(...pca.dirs[1]), 1), 'unit vectors');
  });

  it('PCA: a straight path has one direction with all the variance; a single point has none', () => {
    const origin = f32([0, 0, 0, 0]);
    const points = [1, 2, 3, 4].map((t) => f32([t, -t, 2 * t, 0]));
    const pca = pcaDirections(points, origin);
    assert.ok(pca?.explained && near(pca.explained[0], 1) && near(pca.explained[1], 0));
    assert.ok(near(alignment(pca.dirs[0], [1, -1, 2, 0]), 1));
    assert.equal(pcaDirections([f32([1, 2, 3])], origin), undefined);
  });

  it('Hessian: the two eigenvectors of largest |λ| of Q·diag(5, −3, 1, 0.5)·Qᵀ (a rotation in the first two axes and the last two)', () => {
    const c = Math.cos(0.6), s = Math.sin(0.6);
    const q = [[c, -s, 0, 0], [s, c, 0, 0], [0, 0, c, s], [0, 0, -s, c]];
    const lambda = [5, -3, 1, 0.5];
    const h = q.map((_, i) => q.map((__, j) => lambda.reduce((sum, l, k) => sum + q[i][k] * l * q[j][k], 0)));
    const apply = (v: Float32Array, out: Float32Array) => h.forEach((row, i) => { out[i] = row.reduce((sum, hij, j) => sum + hij * v[j], 0); });
    const r = hessianDirections(apply, 4, createRng(3));
    assert.ok(r.eigenvalues && near(r.eigenvalues[0], 5, 1e-4) && near(r.eigenvalues[1], -3, 1e-4), String(r.eigenvalues));
    assert.ok(near(alignment(r.dirs[0], q.map((row) => row[0])), 1, 1e-5));
    assert.ok(near(alignment(r.dirs[1], q.map((row) => row[1])), 1, 1e-5));
  });

  it('projection onto a plane of non-orthogonal directions recovers the coordinates; an off-plane part is dropped', () => {
    const origin = f32([1, 0, -1]);
    const d1 = f32([1, 1, 0]), d2 = f32([0, 1, 1]);
    const normal = [1, -1, 1]; // ⟂ d1 and d2
    const p = (a: number, b: number, off: number) => f32([0, 1, 2].map((i) => origin[i] + a * d1[i] + b * d2[i] + off * normal[i]));
    const got = projectOnPlane([p(2, -1, 0), p(0.5, 3, 0.7)], origin, [d1, d2]);
    assert.ok(near(got[0][0], 2) && near(got[0][1], -1) && near(got[1][0], 0.5) && near(got[1][1], 3), JSON.stringify(got));
  });

  it('interpolation line between two points: the loss at t = 0 and t = 1 is the loss at the points; a ridge in between shows', async () => {
    await selectBackend('cpu');
    const a = f32([-1, 0]), b = f32([1, 0]);
    const line = interpolationLine(a, b, 9, 0.25);
    // 9 points with about a quarter on each side: steps of 1/6 from −1/6 to 7/6.
    line.ts.forEach((t, i) => assert.ok(near(t, (i - 1) / 6, 1e-12), `t[${i}] = ${t}`));
    assert.ok(line.ts.includes(0) && line.ts.includes(1), 'both end points are on the grid');
    // Two wells at x = ±1 with a ridge at 0: f = (x² − 1)² + y².
    const fOf = (p: tf.Tensor1D) => tf.tidy(() => tf.add(tf.square(tf.sub(tf.square(p.gather(0)), 1)), tf.square(p.gather(1))).reshape([]) as tf.Scalar);
    const zeros = tf.zeros([2]);
    const layout = ParamLayout.of(zeros);
    zeros.dispose();
    const before = tf.memory().numTensors;
    const done = await evaluatePlane({ raw: (q) => fOf(q as tf.Tensor1D), f: fOf, layout, tf, isCancelled: () => false, deadline: Date.now() + 10_000 }, line);
    assert.ok(done && done !== 'not-batchable');
    assert.equal(tf.memory().numTensors, before);
    line.ts.forEach((t, i) => {
      const x = -1 + 2 * t;
      assert.ok(near(done.values[i], (x * x - 1) ** 2, 1e-4), `t = ${t}: ${done.values[i]}`);
    });
  });
});
