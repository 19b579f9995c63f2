import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { runRequestSchema, type RunMeta, type RunnerToHost } from '../../../src/protocol/runner';
import { selectBackend } from '../../../src/runner/backend';
import { runObjective } from '../../../src/runner/run';
import type { RunControl } from '../../../src/runner/runControl';
import { KeptObjectives } from '../../../src/runner/sweepReuse';
import { EXAMPLES } from './runInProcess';

interface Ran {
  meta?: RunMeta;
  losses: number[];
  final?: number | null;
}

/** One run of the seeded mini-batch MLP (its init and data drawn from the seed), with Adam at `lr`. */
async function run(lr: number, seed: number, kept?: KeptObjectives): Promise<Ran> {
  const request = runRequestSchema.parse({
    type: 'run', runId: `lr${lr}-s${seed}`, file: path.join(EXAMPLES, 'mlpRegression.ts'), optimizer: { id: 'adam', lr },
    steps: 60, seed, landscape: false, compile: true,
  });
  const out: Ran = { losses: [] };
  const emit = (m: RunnerToHost): void => {
    if (m.type === 'started') out.meta = m.meta;
    else if (m.type === 'steps') out.losses.push(...m.steps.map((s) => s.loss));
    else if (m.type === 'done') out.final = m.final.loss;
  };
  const control: RunControl = { isCancelled: () => false, lrSet: () => undefined, ...(kept ? { compiledObjective: (key: string) => kept.source(key), keptData: (key: string) => kept.data(key) } : {}) };
  await runObjective(request, await selectBackend('cpu'), tf, emit, control);
  return out;
}

const close = (a: number | null | undefined, b: number | null | undefined, what: string): void => {
  assert.ok(typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) <= 1e-5 * Math.abs(b), `${what}: kept ${a} vs fresh ${b}`);
};

/** A sweep's worker keeps the compiled objective across configurations (sweepReuse.ts); each run must stay the run `optlab run` makes. */
describe("a sweep worker's kept compiled objective", function () {
  this.timeout(300_000);
  before(async () => {
    await selectBackend('cpu');
  });

  it('compiles and loads the data once per seed, and every run equals a fresh one (each loss to 1e-5), with no tensor left', async () => {
    const kept = new KeptObjectives();
    const settings: [number, number][] = [[0.01, 0], [0.003, 0], [0.03, 1], [0.001, 0], [0.01, 1]];
    const before = tf.memory().numTensors;
    const withKept: Ran[] = [];
    for (const [lr, seed] of settings) withKept.push(await run(lr, seed, kept));
    assert.equal(tf.memory().numTensors, before, 'no tensor leaked');
    assert.equal(kept.made, 2, 'one compiled objective per seed, not one per configuration');
    assert.equal(kept.dataLoaded, 2, "the data loaded once per seed (mlpRegression's rows are drawn from the seed)");
    for (const [k, [lr, seed]] of settings.entries()) {
      const fresh = await run(lr, seed);
      const ran = withKept[k];
      assert.equal(ran.meta?.compute?.path, 'compiled', ran.meta?.compute?.reason);
      assert.equal(ran.losses.length, fresh.losses.length);
      ran.losses.forEach((loss, step) => close(loss, fresh.losses[step], `lr ${lr} seed ${seed} step ${step}`));
      close(ran.final, fresh.final, `lr ${lr} seed ${seed} final loss`);
    }
  });
});
