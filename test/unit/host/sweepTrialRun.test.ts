import { strict as assert } from 'node:assert';
import { DEFAULT_SETTINGS, runRequestFor } from '../../../src/host/runSettings';
import { sweepTrialRun } from '../../../src/host/sweepTrialRun';
import { sweepResultSchema, type SweepResult, type SweepRun } from '../../../src/protocol/sweep';
import { webviewToHostSchema } from '../../../src/protocol/webview';

const run = (trial: number, point: Record<string, string>, lr: number, hp: SweepRun['hp'], seed: number): SweepRun => ({
  trial, point, lr, hp, seed, status: 'completed', stepsDone: 80, final: { loss: 0.5, gradNorm: 0.1 }, steps: [{ step: 0, loss: 1 }, { step: 80, loss: 0.5 }],
});

const sweep: SweepResult = sweepResultSchema.parse({
  objective: 'rosenbrock', file: '/w/objectives/rosen.ts', optimizer: { id: 'sgd' }, steps: 80, mode: 'grid',
  space: [{ name: 'lr', kind: 'list', values: ['0.001', '0.01'] }, { name: 'momentum', kind: 'list', values: ['0', '0.9'] }],
  workers: 1, wallMs: 10, best: null,
  runs: [
    run(0, { lr: '0.001', momentum: '0' }, 0.001, { momentum: 0, nesterov: false }, 0),
    run(1, { lr: '0.001', momentum: '0.9' }, 0.001, { momentum: 0.9, nesterov: false }, 3),
  ],
});

/** A tuned comparison of a built-in and a workspace rule: the runs name their optimizer in the `optimizer` dimension. */
const compared: SweepResult = sweepResultSchema.parse({
  ...sweep, optimizer: { id: 'adam,lion' }, space: [{ name: 'optimizer', kind: 'list', values: ['adam', 'lion'] }, sweep.space[0]],
  runs: [
    run(0, { optimizer: 'adam', lr: '0.01' }, 0.01, { betas: [0.9, 0.999], eps: 1e-8 }, 0),
    run(1, { optimizer: 'lion', lr: '0.001' }, 0.001, { beta1: 0.9 }, 0),
  ],
  comparison: {
    tuningSeed: 0, seeds: [1], budget: { configurations: 1, steps: 80, totalSteps: 80 },
    optimizers: [
      { id: 'adam', tuned: null, runs: [], mean: null, min: null, max: null, failed: 0 },
      { id: 'lion', file: '/w/rules/lion.ts', tuned: null, runs: [], mean: null, min: null, max: null, failed: 0 },
    ],
  },
});

/** The request the controller would send, with settings that differ from the sweep's everywhere they could leak in. */
const requestOf = (result: SweepResult, index: number) => {
  const trial = sweepTrialRun(result, index);
  assert.ok(trial.ok, trial.ok ? '' : trial.error);
  const settings = { ...DEFAULT_SETTINGS, defaultOptimizer: 'rmsprop', learningRate: 0.3, steps: 1234, schedule: 'cosine:T_max=100' };
  return runRequestFor(settings, trial.target, trial.choice, 'r1');
};

describe('a sweep run opened as a run', () => {
  it("the page's message names a run index and passes the dashboard's message schema", () => {
    assert.deepEqual(webviewToHostSchema.parse({ type: 'openSweepRun', run: 1 }), { type: 'openSweepRun', run: 1 });
    assert.equal(webviewToHostSchema.safeParse({ type: 'openSweepRun', run: -1 }).success, false);
  });

  it("becomes a run request with the sweep's file, objective, optimizer, lr, hyperparameters, seed and steps, and no schedule", () => {
    const request = requestOf(sweep, 1);
    assert.equal(request.file, '/w/objectives/rosen.ts');
    assert.equal(request.objective, 'rosenbrock');
    assert.deepEqual(request.optimizer, { id: 'sgd', lr: 0.001, hp: { momentum: 0.9, nesterov: false } });
    assert.equal(request.seed, 3);
    assert.equal(request.steps, 80);
    assert.equal(request.schedule, undefined);
    assert.equal(request.scheduleFile, undefined);
  });

  it("a tuned comparison's run: the optimizer its point names, a rule with its file", () => {
    const adam = requestOf(compared, 0);
    assert.deepEqual(adam.optimizer, { id: 'adam', lr: 0.01, hp: { betas: [0.9, 0.999], eps: 1e-8 } });
    const lion = requestOf(compared, 1);
    assert.deepEqual(lion.optimizer, { id: 'lion', rule: { file: '/w/rules/lion.ts' }, lr: 0.001, hp: { beta1: 0.9 } });
  });

  it('refuses a run the sweep does not have, and a sweep file that does not name its objective file', () => {
    const missing = sweepTrialRun(sweep, 5);
    assert.ok(!missing.ok && /no run 5/.test(missing.error));
    const { file: _file, ...old } = sweep;
    const unnamed = sweepTrialRun(old, 0);
    assert.ok(!unnamed.ok && /objective file/.test(unnamed.error));
  });
});
