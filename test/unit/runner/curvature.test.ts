import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import type { FlatObjective } from '../../../src/core/curvature/hvp';
import { evaluatorOf } from '../../../src/core/evaluate';
import type { CurvatureSample } from '../../../src/protocol/runner';
import { curvatureSampler } from '../../../src/runner/curvatureSampler';
import { fixture, runInProcess } from './runInProcess';

const close = (a: number, b: number, rtol = 1e-4) => assert.ok(Math.abs(a - b) <= rtol * Math.abs(b), `${a} vs ${b}`);
const curvatureFile = fixture('curvature.ts');

describe('runner curvature', function () {
  this.timeout(60_000);

  it('maximize: reports the curvature of f (a maximum of f is a maximum), κ and the edge of −f', async () => {
    const r = await runInProcess({ file: curvatureFile, objective: 'hill', optimizer: { id: 'sgd', lr: 0.1, maximize: true }, steps: 60, curvatureEvery: 30 });
    assert.equal(r.error, undefined);
    assert.equal(r.done?.curvatureError, undefined);
    assert.deepEqual(r.curvature.map((c) => c.step), [0, 30, 60]);
    for (const c of r.curvature) {
      close(c.lambdaMax, -2);
      close(c.lambdaMin, -8);
      assert.equal(c.negativeCount, 2);
      close(c.condition ?? NaN, 4);
      close(c.stabilityEdge ?? NaN, 2 / 8);
      close(c.edgeRatio ?? NaN, (0.1 * 8) / 2);
    }
    // Ascent reached the top: the final point is a maximum of f (not yet critical at step 0).
    assert.equal(r.curvature[0].classification, 'not-critical');
    assert.equal(r.curvature[2].classification, 'maximum');
    close(r.done?.final.params[0] ?? NaN, 1, 1e-3);
    assert.equal(r.leaked, 0);
  });

  it('minimising the same hill (no --maximize) reports the same spectrum and no κ', async () => {
    const r = await runInProcess({ file: curvatureFile, objective: 'hill', optimizer: { id: 'sgd', lr: 0.01 }, steps: 2, curvatureEvery: 1 });
    close(r.curvature[0].lambdaMax, -2);
    close(r.curvature[0].lambdaMin, -8);
    assert.equal(r.curvature[0].condition, null);
    assert.equal(r.curvature[0].stabilityEdge, null);
  });

  it('a linear objective has H = 0, and Newton on it runs without an error', async () => {
    const r = await runInProcess({ file: curvatureFile, objective: 'linear', optimizer: { id: 'newton', lr: 1 }, steps: 5, curvatureEvery: 5 });
    assert.equal(r.error, undefined, r.error?.message);
    assert.equal(r.done?.curvatureError, undefined);
    assert.deepEqual(r.curvature.map((c) => [c.step, c.lambdaMax, c.lambdaMin, c.condition]), [[0, 0, 0, null], [5, 0, 0, null]]);
    assert.equal(r.steps.length, 5);
    // Every step goes downhill along −g (or the run stops as diverged, never with an exception).
    assert.ok(r.done?.status === 'completed' || r.done?.status === 'diverged', r.done?.status);
    for (let k = 1; k < r.steps.length; k++) assert.ok(r.steps[k].loss < r.steps[k - 1].loss, `loss ${r.steps[k].loss} at ${k}`);
    assert.equal(r.leaked, 0);
  });

  it('a failed HVP self-check reports a second-derivative error instead of samples, and the run goes on', async () => {
    const r = await runInProcess({ file: curvatureFile, objective: 'wrongGradient', optimizer: { id: 'sgd', lr: 0.1 }, steps: 20, curvatureEvery: 5 });
    assert.equal(r.error, undefined);
    assert.deepEqual(r.curvature, []);
    assert.equal(r.done?.status, 'completed');
    assert.equal(r.steps.length, 20);
    assert.equal(r.done?.curvatureError?.kind, 'second-derivative');
    assert.match(r.done?.curvatureError?.message ?? '', /step 0: HVP self-check failed/);
    assert.match(r.done?.message ?? '', /HVP self-check failed/);
    assert.equal(r.leaked, 0);
  });

  it("an op without a second derivative stops curvature with kind 'second-derivative', the run completes", async () => {
    const r = await runInProcess({ file: curvatureFile, objective: 'pooled', optimizer: { id: 'sgd', lr: 0.05 }, steps: 10, curvatureEvery: 2 });
    assert.equal(r.error, undefined);
    assert.deepEqual(r.curvature, []);
    assert.equal(r.done?.status, 'completed');
    assert.equal(r.steps.length, 10);
    assert.equal(r.done?.curvatureError?.kind, 'second-derivative');
    assert.match(r.done?.curvatureError?.message ?? '', /second derivative not supported for op maxPool/);
    assert.equal(r.leaked, 0);
  });

  it("'auto' samples at step 0, at the end, and between only while curvature stays within a tenth of the time", async () => {
    // A fake clock: a training step costs 1 ms, a sample 10 ms.
    let clock = 0;
    const f: FlatObjective = (x) => tf.sum(tf.square(x)) as tf.Scalar;
    const plain = evaluatorOf(f);
    const steps: number[] = [];
    const sampler = curvatureSampler({
      cadence: 'auto',
      f,
      negated: false,
      evaluate: (x) => {
        clock += 10;
        return plain(x);
      },
      withFixedBatch: (body) => body(),
      seed: 0,
      emit: (s: CurvatureSample) => steps.push(s.step),
      now: () => clock,
    });
    const x = tf.tensor1d([1, 2]);
    for (let step = 0; step < 1000; step++) {
      await sampler.maybeSample(step, x, 0.1);
      clock += 1;
    }
    await sampler.maybeSample(1000, x, 0.1, true);
    x.dispose();
    // The first gap leaves room for two samples (this one and the final): 9·(10 + 2·10) = 270 ms of
    // training; after that one sample per 9 × 10 ms.
    assert.deepEqual(steps, [0, 270, 360, 450, 540, 630, 720, 810, 900, 990, 1000]);
    assert.equal(sampler.spentMs, 110);
    assert.ok(sampler.spentMs / clock <= 0.1, `share ${sampler.spentMs / clock}`);
  });
});
