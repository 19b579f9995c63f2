import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { RunnerClient, type RunOutcome } from '../../../src/runner/client';
import { defaultMemoryLimitBytes, formatBytes, parseMemorySize, residentBytesOf } from '../../../src/runner/memoryLimit';
import { buildBundles } from './buildBundles';
import { fixture } from './runInProcess';

const MB = 1024 * 1024;

describe('memory limit', function () {
  this.timeout(180_000);

  it('parses sizes in MB and GB, a bare number as MB, and rejects anything else', () => {
    assert.equal(parseMemorySize('2GB'), 2 * 1024 * MB);
    assert.equal(parseMemorySize('1.5 gb'), 1.5 * 1024 * MB);
    assert.equal(parseMemorySize('512MB'), 512 * MB);
    assert.equal(parseMemorySize('300'), 300 * MB);
    for (const bad of ['', '2TB', '-1GB', '0MB', 'lots']) assert.throws(() => parseMemorySize(bad), /MB or GB/);
    assert.equal(formatBytes(1536 * MB), '1.5 GB');
    assert.equal(formatBytes(300 * MB), '300 MB');
    assert.ok(defaultMemoryLimitBytes() >= 1024 * MB);
  });

  describe('in the runner process', () => {
    let client: RunnerClient;
    let limit = 0;
    before(async () => {
      const { runner } = await buildBundles();
      client = new RunnerClient({ runnerPath: runner, backend: 'cpu' });
      const ready = await client.start();
      // The idle runner's own memory plus 250 MB: 16 steps of leaksPerCall's 16 MB tensors pass it.
      const idle = residentBytesOf(ready.pid) ?? 300 * MB;
      limit = idle + 250 * MB;
    });
    after(() => client.dispose());

    const runHog = async (objective: string): Promise<{ outcome: RunOutcome; steps: number[] }> => {
      const steps: number[] = [];
      const outcome = await client.run(
        { file: fixture('memoryHog.ts'), objective, optimizer: { id: 'sgd', lr: 0.01, hp: {} }, steps: 100_000, compile: false, landscape: false, timeLimitMs: 120_000, memoryLimitBytes: limit },
        { onSteps: (s) => steps.push(...s.map((r) => r.step)) },
      ).result;
      return { outcome, steps };
    };

    const assertMemoryError = (outcome: RunOutcome): void => {
      assert.equal(outcome.kind, 'error', JSON.stringify(outcome).slice(0, 300));
      if (outcome.kind !== 'error') return;
      assert.equal(outcome.error.kind, 'memory', outcome.error.message);
      assert.equal(outcome.error.memory?.limitBytes, limit);
      assert.match(outcome.error.message, new RegExp(`memory limit of ${formatBytes(limit)}`));
      assert.equal(outcome.error.file, fixture('memoryHog.ts'));
    };

    /** The line `export function <name>` is on in the fixture. */
    const lineOf = (name: string): number => readFileSync(fixture('memoryHog.ts'), 'utf8').split('\n').findIndex((l) => l.includes(`function ${name}(`)) + 1;

    it('stops an objective that keeps memory from every call with kind memory; the steps before stay and the next run gets a fresh runner', async () => {
      const starts = client.starts;
      const { outcome, steps } = await runHog('leaksPerCall');
      assertMemoryError(outcome);
      // 16 MB a call against 250 MB of room: some steps ran, far fewer than asked.
      assert.ok(steps.length >= 1 && steps.length < 1000, `steps ${steps.length}`);
      assert.deepEqual(steps, Array.from({ length: steps.length }, (_, i) => i));
      // Whichever process stopped it (the child's own check, or the parent's if the child was silent), the objective's line.
      if (outcome.kind === 'error') assert.equal(outcome.error.line, lineOf('leaksPerCall'), 'the objective\'s line');
      const next = await client.run({ file: fixture('single.ts'), optimizer: { id: 'sgd', lr: 0.5, hp: {} }, steps: 2 }).result;
      assert.equal(next.kind, 'done');
      assert.equal(client.starts, starts + 1);
    });

    it('stops one synchronous call that allocates past the limit (the parent reads the child\'s resident memory and kills it)', async () => {
      const starts = client.starts;
      const { outcome, steps } = await runHog('growsInOneCall');
      assertMemoryError(outcome);
      if (outcome.kind === 'error') assert.ok((outcome.error.memory?.rssBytes ?? 0) > limit, outcome.error.message);
      // The parent kills it, and names the objective's line the child gave when the run started.
      if (outcome.kind === 'error') assert.equal(outcome.error.line, lineOf('growsInOneCall'), 'the objective\'s line');
      // Whatever was sent before the call stays, in order (the first test shows steps surviving).
      assert.deepEqual(steps, Array.from({ length: steps.length }, (_, i) => i));
      const next = await client.run({ file: fixture('single.ts'), optimizer: { id: 'sgd', lr: 0.5, hp: {} }, steps: 2 }).result;
      assert.equal(next.kind, 'done');
      assert.ok(client.starts > starts);
    });
  });
});
