import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { hostToRunnerSchema, runnerToHostSchema, type RunnerToHost } from '../../../src/protocol/runner';
import { selectBackend } from '../../../src/runner/backend';
import { landscapeRequests } from '../../../src/runner/landscapeRequests';
import { keepPath } from '../../../src/runner/pathStore';

/** f = (x² − 1)² + y² + z²: wells at x = ±1, a ridge of height 1 at x = 0 between them. */
const WELLS = `import * as tf from '@tensorflow/tfjs';
export function wells(p: tf.Tensor1D): tf.Scalar {
  const [x, y, z] = tf.unstack(p);
  return tf.addN([tf.square(tf.sub(tf.square(x), 1)), tf.square(y), tf.square(z)]) as tf.Scalar;
}
wells.init = [2, 1, 0];
`;
const f32 = (v: number[]) => Float32Array.from(v);

describe('runner: the interpolation request (issue 23) routed through landscapeRequests', function () {
  this.timeout(60_000);
  before(async () => {
    await selectBackend('cpu');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'interp-req-')), 'wells.ts');
    fs.writeFileSync(file, WELLS);
    const ref = { file, objective: 'wells', seed: 0 };
    keepPath('req-left', { ref, n: 3, steps: [0, 50], points: [f32([2, 1, 0]), f32([-1, 0, 0])] });
    keepPath('req-right', { ref, n: 3, steps: [0, 50], points: [f32([2, 1, 0]), f32([1, 0, 0])] });
    // The same wells, run as a maximisation: its records carry −f, so its line does too.
    keepPath('req-max-left', { ref: { ...ref, maximize: true }, n: 3, steps: [0, 50], points: [f32([2, 1, 0]), f32([-1, 0, 0])] });
    keepPath('req-max-right', { ref: { ...ref, maximize: true }, n: 3, steps: [0, 50], points: [f32([2, 1, 0]), f32([1, 0, 0])] });
  });

  const ask = async (runIds: string[]): Promise<RunnerToHost> => {
    const sent: RunnerToHost[] = [];
    const msg = hostToRunnerSchema.parse({ type: 'interpolation', requestId: 'i1', runIds });
    assert.ok(msg.type === 'interpolation');
    const before = tf.memory().numTensors;
    await landscapeRequests(tf, (m) => sent.push(m)).interpolation(msg);
    assert.equal(tf.memory().numTensors, before, 'no tensor leaked');
    assert.equal(sent.length, 1, 'one answer');
    // The answer survives the host's validation of the runner's messages.
    return runnerToHostSchema.parse(JSON.parse(JSON.stringify(sent[0])));
  };

  it('two runs in the two wells: one answer with the same requestId, ends 0, barrier 1 (the ridge at t = 1/2)', async () => {
    const m = await ask(['req-left', 'req-right']);
    assert.ok(m.type === 'interpolation' && m.profile, JSON.stringify(m));
    assert.equal(m.requestId, 'i1');
    assert.equal(m.profile.between, 'runs');
    assert.deepEqual(m.profile.ends, [0, 0]);
    assert.equal(m.profile.barrier, 1);
    assert.equal(m.profile.losses[m.profile.ts.indexOf(0.5)], 1);
  });

  it('a maximised run\'s line is in the run\'s sign (−f): the ridge becomes a dip, no barrier', async () => {
    const m = await ask(['req-max-left', 'req-max-right']);
    assert.ok(m.type === 'interpolation' && m.profile, JSON.stringify(m));
    assert.equal(m.profile.losses[m.profile.ts.indexOf(0.5)], -1);
    assert.deepEqual(m.profile.ends.map((v) => v + 0), [0, 0]);
    assert.equal(m.profile.barrier, 0);
  });

  it('a run with no recorded path: a warning, not an error', async () => {
    const m = await ask(['req-left', 'never-ran']);
    assert.ok(m.type === 'interpolation');
    assert.equal(m.profile, undefined);
    assert.match(m.warning ?? '', /no recorded path for never-ran/);
  });

  it('three runs are refused at the boundary', () => {
    assert.equal(hostToRunnerSchema.safeParse({ type: 'interpolation', requestId: 'i', runIds: ['a', 'b', 'c'] }).success, false);
  });
});
