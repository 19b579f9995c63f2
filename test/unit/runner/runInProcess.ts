import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  runRequestSchema, type CurvatureSample, type LandscapeMessage, type RunError, type RunMeta, type RunRequestInput, type RunnerToHost, type StepRecord,
} from '../../../src/protocol/runner';
import { fusedProducts } from '../../../src/core/compiled/gemmKernels';
import type { ComputeRecord } from '../../../src/protocol/computeRecord';
import { selectBackend } from '../../../src/runner/backend';
import { runObjective } from '../../../src/runner/run';
import { RunFailure } from '../../../src/runner/runFailure';
import { defaultRunThreads } from '../../../src/runner/runThreads';

export const FIXTURES = path.resolve(__dirname, '../../fixtures/objectives');
export const EXAMPLES = path.resolve(__dirname, '../../../examples');

export interface InProcessResult {
  meta?: RunMeta;
  steps: StepRecord[];
  curvature: CurvatureSample[];
  landscapes: LandscapeMessage[];
  /** The objective file named by 'started'. */
  startedFile?: string;
  done?: Extract<RunnerToHost, { type: 'done' }>;
  error?: RunError;
  /** Live tensors after the run minus before (must be 0). */
  leaked: number;
}

/**
 * Runs one request in this process on the cpu backend (or wasm, for objectives too slow on cpu; the process
 * is back on cpu afterwards), collecting every event.
 */
export async function runInProcess(input: Partial<Omit<RunRequestInput, 'type'>> & { file: string }, backendName: 'cpu' | 'wasm' = 'cpu'): Promise<InProcessResult> {
  const backend = await selectBackend(backendName);
  const request = runRequestSchema.parse({ type: 'run', runId: 'test', optimizer: { id: 'sgd', lr: 0.1 }, steps: 20, ...input });
  const out: InProcessResult = { steps: [], curvature: [], landscapes: [], leaked: 0 };
  const before = tf.memory().numTensors;
  try {
    await runObjective(request, backend, tf, (m) => {
      if (m.type === 'started') {
        out.meta = m.meta;
        out.startedFile = m.file;
      } else if (m.type === 'landscape') out.landscapes.push(m);
      else if (m.type === 'steps') out.steps.push(...m.steps);
      else if (m.type === 'curvature') out.curvature.push(m.sample);
      else if (m.type === 'done') out.done = m;
    }, { isCancelled: () => false, lrSet: () => undefined });
  } catch (e) {
    if (!(e instanceof RunFailure)) throw e;
    out.error = e.error;
  }
  out.leaked = tf.memory().numTensors - before;
  if (backendName !== 'cpu') await selectBackend('cpu');
  return out;
}

export const fixture = (name: string): string => path.join(FIXTURES, name);

/**
 * The `compute` record of a compiled run that did not ask for threads: the default thread count for its
 * large products and, with WebAssembly SIMD, whether they fuse on this machine.
 */
export function compiledRecord(simd = false): ComputeRecord {
  return { path: 'compiled', ...(simd ? { simd: true } : {}), threads: defaultRunThreads(), ...(simd && fusedProducts() ? { fusedMultiplyAdd: true } : {}) };
}
