/**
 * The sweep bench's MLP row (issue 22: "16 configurations on the MLP workload"): Adam at 16 learning rates on
 * bench/workloads.ts's MLP (16-64-64-1, tanh, batches of 64 of 10,000 samples, 500 steps), through the
 * sweep engine as `optlab sweep` runs it (bench/sweepMlpObjective.ts, seed 0), and the PyTorch workload that
 * runs the same 16 one after another: the same data and initial weights, the runner's batch order (its
 * seeded permutation per epoch, read here from the runner's own Dataset), the full-data loss at the end.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { parseDimension } from '../src/core/tuning/searchSpace';
import { selectBackend } from '../src/runner/backend';
import { compileObjective } from '../src/runner/compile';
import { loadBundle } from '../src/runner/loadBundle';
import { discoverObjectives, prepareObjective } from '../src/runner/objectives';
import { silenceTfjsBanner } from '../src/runner/quietTfjs';
import type { SweepSpec } from '../src/runner/sweepEngine';
import { BATCH, FEATURES, HIDDEN, SAMPLES } from './sweepMlpObjective';

const FILE = path.resolve(__dirname, 'sweepMlpObjective.ts');
const STEPS = 500;
/** 16 learning rates from 1e-4 to 1e-2, geometric (rounded so both sides parse the same numbers). */
const LRS = Array.from({ length: 16 }, (_, k) => Number((1e-4 * 100 ** (k / 15)).toPrecision(6)));
const SEED = 0;

/** The sample indices of every update, in the order the runner's Dataset takes them for this seed (an epoch's last batch is smaller). */
async function runnerBatchOrder(): Promise<number[][]> {
  silenceTfjsBanner();
  await selectBackend('wasm');
  const bundle = await compileObjective(FILE);
  const entry = discoverObjectives(loadBundle(bundle, tf), fs.readFileSync(bundle.file, 'utf8')).find((e) => e.name === 'mlpBench');
  if (!entry) throw new Error(`${FILE} exports no objective 'mlpBench'`);
  const prepared = prepareObjective(entry, bundle.file, SEED, tf);
  const dataset = prepared.dataset;
  if (!dataset) throw new Error('mlpBench has no data');
  const order = Array.from({ length: STEPS }, (_, step) => dataset.indices(step));
  prepared.dispose();
  return order;
}

export async function mlpSweepInputs() {
  const order = await runnerBatchOrder();
  const spec: SweepSpec = {
    file: FILE, optimizer: 'adam', hp: {}, steps: STEPS, seeds: 1, firstSeed: SEED, dims: [parseDimension(`lr=${LRS.join(',')}`)],
    mode: 'grid', seed: 0, halving: false, timeLimitMs: 600_000, compile: true,
  };
  const tol = 1e-2;
  return {
    spec,
    tol,
    torchWorkload: (repeats: number) => ({
      id: 'sweep16mlp', kind: 'sweep-mlp' as const, samples: SAMPLES, features: FEATURES, hidden: HIDDEN, batch: BATCH, lrs: LRS, steps: STEPS, repeats, tol, order,
    }),
  };
}
