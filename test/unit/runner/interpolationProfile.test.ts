import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../src/runner/backend';
import { barrierOf, interpolationProfile } from '../../../src/runner/interpolationProfile';
import { keepPath } from '../../../src/runner/pathStore';

/** Two wells at x = ±1 (y = z = 0) with a ridge of height 1 between them: f = (x² − 1)² + y² + z². */
const WELLS = `import * as tf from '@tensorflow/tfjs';
export function wells(p: tf.Tensor1D): tf.Scalar {
  const [x, y, z] = tf.unstack(p);
  return tf.addN([tf.square(tf.sub(tf.square(x), 1)), tf.square(y), tf.square(z)]) as tf.Scalar;
}
wells.init = [2, 1, 0];
`;
const wells = (x: number, y: number, z: number): number => (x * x - 1) ** 2 + y * y + z * z;
const f32 = (v: number[]) => Float32Array.from(v);

describe('interpolation line (issue 23)', function () {
  this.timeout(60_000);
  let file: string;
  before(async () => {
    await selectBackend('cpu');
    file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'interp-')), 'wells.ts');
    fs.writeFileSync(file, WELLS);
    const ref = { file, objective: 'wells', seed: 0 };
    // Run A ended in the left well, run B in the right one; both started at (2, 1, 0).
    keepPath('left', { ref, n: 3, steps: [0, 50], points: [f32([2, 1, 0]), f32([-1, 0, 0])] });
    keepPath('right', { ref, n: 3, steps: [0, 50], points: [f32([2, 1, 0]), f32([1, 0, 0])] });
  });

  it('between two runs\' minima of a double well: ends 0, the ridge at t = 1/2 of height 1 (by hand), every point the closed form', async () => {
    const before = tf.memory().numTensors;
    const r = await interpolationProfile(['left', 'right'], tf);
    assert.ok('profile' in r, 'warning' in r ? r.warning : '');
    const { profile } = r;
    assert.equal(tf.memory().numTensors, before, 'no tensor leaked');
    assert.equal(profile.between, 'runs');
    assert.equal(profile.ts.length, 61);
    assert.deepEqual(profile.ends, [0, 0]);
    assert.equal(profile.losses[profile.ts.indexOf(0.5)], 1);
    assert.equal(profile.barrier, 1);
    profile.ts.forEach((t, i) => {
      const want = wells(-1 + 2 * t, 0, 0);
      assert.ok(Math.abs((profile.losses[i] ?? NaN) - want) <= 1e-5 * Math.max(1, want), `t = ${t}: ${profile.losses[i]} vs ${want}`);
    });
  });

  it('one run\'s start to its end: L(t) = ((2 − 3t)² − 1)² + (1 − t)², no barrier (the loss falls from 10 to 0)', async () => {
    const r = await interpolationProfile(['left'], tf);
    assert.ok('profile' in r, 'warning' in r ? r.warning : '');
    assert.equal(r.profile.between, 'path');
    assert.deepEqual(r.profile.ends, [10, 0]);
    assert.equal(r.profile.barrier, 0);
    r.profile.ts.forEach((t, i) => {
      const want = wells(2 - 3 * t, 1 - t, 0);
      assert.ok(Math.abs((r.profile.losses[i] ?? NaN) - want) <= 1e-5 * Math.max(1, want), `t = ${t}: ${r.profile.losses[i]} vs ${want}`);
    });
  });

  it('a run the runner has no path for is named in the warning', async () => {
    assert.deepEqual(await interpolationProfile(['left', 'gone'], tf), { warning: 'no recorded path for gone: the runner keeps the paths of runs of more than 2 parameters it ran since it started' });
  });

  it('barrierOf: the highest loss within [0, 1] above the higher end; points beyond the ends do not count', () => {
    assert.deepEqual(barrierOf([-0.5, 0, 0.5, 1, 1.5], [99, 1, 3, 2, 99]), { ends: [1, 2], barrier: 1 });
    assert.deepEqual(barrierOf([0, 0.5, 1], [2, 1, 0]), { ends: [2, 0], barrier: 0 });
  });
});
