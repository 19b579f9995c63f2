import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { RunnerClient } from '../../../src/runner/client';
import { buildBundles } from './buildBundles';
import { EXAMPLES, FIXTURES, fixture } from './runInProcess';

describe('RunnerClient (child process)', function () {
  this.timeout(120_000);
  let client: RunnerClient;

  before(async () => {
    const { runner } = await buildBundles();
    client = new RunnerClient({ runnerPath: runner, backend: 'cpu', killGraceMs: 250 });
    const ready = await client.start();
    assert.equal(ready.backend, 'cpu');
  });
  after(() => client.dispose());

  it('runs an example and reuses the warm process for the next run (no restart)', async () => {
    const pid = client.pid;
    const starts = client.starts;
    const steps: number[] = [];
    const first = await client.run(
      { file: `${EXAMPLES}/rosenbrock.ts`, optimizer: { id: 'adam', lr: 0.01, hp: {} }, steps: 50 },
      { onSteps: (s) => steps.push(...s.map((r) => r.step)) },
    ).result;
    assert.equal(first.kind, 'done');
    assert.deepEqual(steps, Array.from({ length: 50 }, (_, i) => i));
    const t0 = Date.now();
    const second = await client.run({ file: fixture('single.ts'), optimizer: { id: 'sgd', lr: 0.5, hp: {} }, steps: 2 }).result;
    const secondMs = Date.now() - t0;
    assert.equal(second.kind, 'done');
    if (second.kind === 'done') assert.deepEqual(second.done.final.params, [0.75, -1]);
    assert.equal(client.pid, pid);
    assert.equal(client.starts, starts);
    console.log(`      warm re-run (compile + load + 2 steps): ${secondMs} ms`);
  });

  // How fast the outcome comes is measured in bench/cancelLatency.ts (wall-clock bounds flake under load).
  it('cancels a run: the outcome is cancelled, with the final parameters', () => cancels(false));

  // A compiled run makes 100,000+ records a second: the runner must not queue more than the host reads.
  it('cancels a compiled run too (the runner waits while its messages are unwritten)', () => cancels(true));

  const cancels = async (compile: boolean) => {
    let stepsAtCancel = -1;
    let lastStep = -1;
    let resolveStarted!: () => void;
    let path: string | undefined;
    const started = new Promise<void>((r) => (resolveStarted = r));
    const handle = client.run(
      { file: `${EXAMPLES}/rosenbrock.ts`, optimizer: { id: 'adam', lr: 0.001, hp: {} }, steps: 10_000_000, compile },
      {
        onStarted: (meta) => (path = meta.compute?.path),
        onSteps: (s) => {
          lastStep = s[s.length - 1].step;
          resolveStarted();
        },
      },
    );
    await started;
    assert.equal(path, compile ? 'compiled' : 'tensors');
    await new Promise((r) => setTimeout(r, 200));
    stepsAtCancel = lastStep;
    handle.cancel();
    const outcome = await handle.result;
    assert.equal(outcome.kind, 'done');
    if (outcome.kind === 'done') {
      assert.equal(outcome.done.status, 'cancelled');
      assert.equal(outcome.done.final.params.length, 2);
    }
    // It stopped: far short of the 10 million steps asked for, and the steps streamed before the cancel are kept.
    assert.ok(stepsAtCancel >= 0 && lastStep >= stepsAtCancel && lastStep < 10_000_000 - 1, `steps ${stepsAtCancel} → ${lastStep}`);
  };

  it('changes lr mid-run without resetting state (lrChanged, later steps use it)', async () => {
    let changed: { step: number; lr: number } | undefined;
    const lrs: number[] = [];
    // The handlers run only after events arrive, when `handle` is set.
    const handle: ReturnType<RunnerClient['run']> = client.run(
      { file: `${EXAMPLES}/rosenbrock.ts`, optimizer: { id: 'sgd', lr: 0.0001, hp: {} }, steps: 1_000_000 },
      {
        onSteps: (s) => {
          lrs.push(...s.map((r) => r.lr));
          if (lrs.length > 100 && !changed) {
            changed = { step: -1, lr: -1 };
            handle.setLr(0.0002);
          }
          if (lrs.length > 2000) handle.cancel();
        },
        onLrChanged: (step, lr) => (changed = { step, lr }),
      },
    );
    const outcome = await handle.result;
    assert.equal(outcome.kind, 'done');
    assert.equal(changed?.lr, 0.0002);
    const at = changed?.step ?? -1;
    assert.ok(at > 100, `changed at ${at}`);
    assert.ok(lrs.slice(0, at).every((lr) => lr === 0.0001));
    assert.ok(lrs.slice(at).every((lr) => Math.abs(lr - 0.0002) < 1e-12));
  });

  it('maps a thrown error to the user file:line through the child (--enable-source-maps)', async () => {
    // On tensors: compiled, the objective's call counter runs only while it is traced.
    const outcome = await client.run({ file: fixture('bad.ts'), objective: 'throwsLater', optimizer: { id: 'sgd', lr: 0.1, hp: {} }, steps: 10, compile: false }).result;
    assert.equal(outcome.kind, 'error');
    if (outcome.kind !== 'error') return;
    assert.equal(outcome.error.kind, 'threw');
    assert.equal(outcome.error.file, fixture('bad.ts'));
    const line = fs.readFileSync(fixture('bad.ts'), 'utf8').split('\n').findIndex((l) => l.includes("throw new Error('exploded")) + 1;
    assert.equal(outcome.error.line, line);
    assert.match(outcome.error.stack ?? '', new RegExp(`bad\\.ts:${line}:\\d+`));
  });

  it('kills an objective that never returns at the time limit, restarts, and runs the next request', async () => {
    const pid = client.pid;
    const t0 = Date.now();
    const outcome = await client.run({ file: fixture('slow.ts'), optimizer: { id: 'sgd', lr: 0.1, hp: {} }, steps: 100, timeLimitMs: 1500 }).result;
    const elapsed = Date.now() - t0;
    console.log(`      time limit 1500 ms: outcome after ${elapsed} ms`);
    assert.equal(outcome.kind, 'error');
    if (outcome.kind === 'error') {
      assert.equal(outcome.error.kind, 'time-limit');
      assert.match(outcome.error.message, /did not return within the time limit of 1\.5 s; the runner was killed and restarted/);
    }
    // Not killed before the limit; how soon after it is the runner's watchdog's business (no upper wall-clock bound here).
    assert.ok(elapsed >= 1500, `took ${elapsed} ms`);
    const next = await client.run({ file: fixture('single.ts'), optimizer: { id: 'sgd', lr: 0.5, hp: {} }, steps: 2 }).result;
    assert.equal(next.kind, 'done');
    assert.notEqual(client.pid, pid);
  });

  it('lists objectives with parameter counts and declaration lines', async () => {
    const { objectives, error } = await client.list(fixture('params.ts'));
    assert.equal(error, undefined);
    assert.deepEqual(objectives.map((o) => [o.name, o.paramCount]), [['matrix', 4], ['record', 3], ['seeded', 10]]);
    assert.equal(objectives[0].line, 5);
    const bad = await client.list(fixture('bad.ts'));
    assert.match(bad.objectives.find((o) => o.name === 'initRagged')?.problem ?? '', /ragged/);
    assert.equal(FIXTURES.length > 0, true);
  });

  it('reports a crashed runner as runner-crash and recovers', async () => {
    const pid = client.pid as number;
    const handle = client.run({ file: `${EXAMPLES}/rosenbrock.ts`, optimizer: { id: 'adam', lr: 0.001, hp: {} }, steps: 10_000_000 }, {
      onSteps: () => {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      },
    });
    const outcome = await handle.result;
    assert.equal(outcome.kind, 'error');
    if (outcome.kind === 'error') {
      assert.equal(outcome.error.kind, 'runner-crash');
      assert.match(outcome.error.message, /exited unexpectedly \(signal SIGKILL\)/);
    }
    const next = await client.run({ file: fixture('single.ts'), optimizer: { id: 'sgd', lr: 0.5, hp: {} }, steps: 2 }).result;
    assert.equal(next.kind, 'done');
  });
});
