import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { DEFAULT_SETTINGS, runRequestFor } from '../../../src/host/runSettings';
import { sweepTrialRun } from '../../../src/host/sweepTrialRun';
import type { SweepResult } from '../../../src/protocol/sweep';
import { runSweep, type SweepSpec } from '../../../src/runner/sweepEngine';
import { SweepPool } from '../../../src/runner/sweepPool';
import { runTunedComparison } from '../../../src/runner/tunedComparison';
import { buildBundles } from './buildBundles';
import { EXAMPLES, runInProcess } from './runInProcess';

/** A sweep's run opened from the dashboard: the host's request, run here, ends at the sweep's final loss (relative 1e-5). */
describe('a sweep run opened as a run ends where the sweep said', function () {
  this.timeout(300_000);
  let runner: string;
  before(async () => ({ runner } = await buildBundles()));

  const spec: SweepSpec = {
    file: path.join(EXAMPLES, 'rosenbrock.ts'), optimizer: 'sgd', hp: {}, steps: 150, seeds: 2,
    dims: [{ name: 'lr', kind: 'list', values: ['0.0005', '0.001'] }, { name: 'momentum', kind: 'list', values: ['0', '0.9'] }],
    mode: 'grid', seed: 0, halving: false, timeLimitMs: 60_000, compile: true,
  };

  async function sameAsSweep(result: SweepResult, index: number): Promise<void> {
    const trial = sweepTrialRun(result, index);
    assert.ok(trial.ok, trial.ok ? '' : trial.error);
    // The settings' own optimizer, lr, steps and schedule must not leak into the trial's run.
    const settings = { ...DEFAULT_SETTINGS, defaultOptimizer: 'rmsprop', learningRate: 0.3, steps: 7, schedule: 'step:step_size=10', curvatureEvery: 0 as const };
    const ran = await runInProcess({ ...runRequestFor(settings, trial.target, trial.choice, 'opened'), landscape: false });
    assert.equal(ran.leaked, 0, 'no tensor leaks');
    const expected = result.runs[index];
    assert.equal(ran.done?.status, expected.status);
    assert.equal(ran.steps.length, expected.stepsDone);
    const loss = ran.done?.final?.loss;
    const want = expected.final.loss as number;
    assert.ok(typeof loss === 'number' && Math.abs(loss - want) <= 1e-5 * Math.abs(want), `run ${index}: opened ${loss} vs sweep ${want}`);
  }

  it('a grid over lr and momentum with two seeds: a seed-1 run with momentum', async () => {
    const pool = new SweepPool({ workerScript: runner, workers: 1 });
    const result = await runSweep(spec, pool).finally(() => pool.close());
    assert.equal(result.file, spec.file, 'the sweep names its objective file');
    const index = result.runs.findIndex((r) => r.point.momentum === '0.9' && r.seed === 1 && r.point.lr === '0.001');
    assert.ok(index >= 0);
    await sameAsSweep(result, index);
  });

  it("a tuned comparison: an adam run (its tuple betas carried as they ran)", async () => {
    const pool = new SweepPool({ workerScript: runner, workers: 1 });
    const { optimizer: _o, ...shared } = spec;
    const result = await runTunedComparison({ ...shared, seeds: 1, dims: [spec.dims[0]] }, [{ id: 'sgd' }, { id: 'adam' }], pool).finally(() => pool.close());
    const index = result.runs.findIndex((r) => r.point.optimizer === 'adam' && r.point.lr === '0.001');
    assert.ok(index >= 0);
    assert.deepEqual(result.runs[index].hp.betas, [0.9, 0.999]);
    await sameAsSweep(result, index);
  });
});
