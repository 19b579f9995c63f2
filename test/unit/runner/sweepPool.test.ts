import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { runRequestSchema } from '../../../src/protocol/runner';
import type { SweepOutcome } from '../../../src/protocol/sweep';
import { SweepPool } from '../../../src/runner/sweepPool';
import { buildBundles } from './buildBundles';
import { EXAMPLES } from './runInProcess';

describe('sweep worker pool', function () {
  this.timeout(180_000);
  let runner: string;
  before(async () => ({ runner } = await buildBundles()));

  const request = (lr: number, steps: number) =>
    runRequestSchema.parse({ type: 'run', runId: `r${lr}`, file: path.join(EXAMPLES, 'rosenbrock.ts'), optimizer: { id: 'adam', lr }, steps, landscape: false });

  it('cancelling stops the running configurations between steps, skips the queued ones, and every worker exits', async () => {
    const started = new Set<number>();
    let resolveBothRunning: () => void = () => undefined;
    const bothRunning = new Promise<void>((resolve) => (resolveBothRunning = resolve));
    const pool = new SweepPool({
      workerScript: runner,
      workers: 2,
      onProgress: (task) => {
        started.add(task);
        if (started.size === 2) resolveBothRunning();
      },
    });
    // Runs far longer than the test: only a cancel ends them.
    const outcomes: Promise<SweepOutcome>[] = [0, 1, 2, 3].map((task) => pool.run({ task, request: request(1e-3 * (task + 1), 50_000_000) }));
    await bothRunning;
    assert.equal(pool.alive, 2);
    pool.cancel();
    let settled = 0;
    for (const o of outcomes) void o.then(() => settled++);
    await pool.stopped();
    // Every run has stopped and returned: no worker is running and every outcome is already in.
    assert.equal(pool.busy, 0);
    assert.equal(settled, 4);
    const done = await Promise.all(outcomes);
    await pool.close();
    assert.equal(pool.alive, 0, 'every worker thread has exited');
    // The two that ran stopped part way with their steps so far; the two queued never started.
    for (const o of done.slice(0, 2)) {
      assert.equal(o.status, 'cancelled');
      assert.ok(o.stepsDone > 0 && o.stepsDone < 50_000_000);
      assert.ok(o.steps.length > 0 && o.final.loss !== null);
    }
    for (const o of done.slice(2)) assert.deepEqual([o.status, o.stepsDone], ['cancelled', 0]);
    // A cancelled pool takes no more work.
    assert.equal((await pool.run({ task: 9, request: request(1e-3, 10) })).status, 'cancelled');
  });

  it('a run stuck in the objective past its time limit has its worker stopped; the next configuration gets a new one', async () => {
    const pool = new SweepPool({ workerScript: runner, workers: 1 });
    const hung = runRequestSchema.parse({ type: 'run', runId: 'hung', file: path.resolve(__dirname, '../../fixtures/objectives/slow.ts'), optimizer: { id: 'sgd', lr: 0.1 }, steps: 10, timeLimitMs: 500, compile: false });
    const [stuck, after] = await Promise.all([pool.run({ task: 0, request: hung }), pool.run({ task: 1, request: request(0.01, 10) })]);
    await pool.close();
    assert.equal(stuck.status, 'time-limit');
    assert.match(stuck.message ?? '', /did not return within its time limit \(0\.5 s\).*its worker was stopped/);
    assert.equal(after.status, 'completed');
    assert.equal(pool.alive, 0);
  });

  it('a configuration stopped at its rung is complete there, with the loss after that many updates', async () => {
    const pool = new SweepPool({ workerScript: runner, workers: 1 });
    const [rung, full] = [await pool.run({ task: 0, request: request(0.01, 100), stopAfter: 25 }), await pool.run({ task: 1, request: request(0.01, 100) })];
    await pool.close();
    assert.equal(pool.alive, 0);
    assert.deepEqual([rung.status, rung.stepsDone], ['completed', 25]);
    // The loss after 25 updates is the full run's step-25 record (measured before update 25).
    const at25 = full.steps.find((s) => s.step === 25);
    assert.ok(at25 && at25.loss !== null && rung.final.loss !== null);
    assert.ok(Math.abs(rung.final.loss - at25.loss) <= 1e-6 * Math.abs(at25.loss));
  });
});
