/**
 * A sweep's worker thread (started from the runner bundle, see main.ts): takes
 * one configuration at a time and runs it through runObjective, the run path of
 * `optlab run`, so every run's numbers are those of a separate `optlab run`.
 * Each file is bundled once per worker, and its objective compiled and its data loaded once per seed (sweepReuse.ts). Cancelling is a shared flag read between
 * steps (no message needs to get through a busy event loop).
 */
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { registerSecondOrderGradients } from '../core/tfjs/secondOrderGradients';
import { parseMessage, type BackendId, type RunError, type RunMeta, type RunnerToHost } from '../protocol/runner';
import {
  SWEEP_STEPS_KEPT, sweepHostToWorkerSchema, type SweepOutcome, type SweepTask, type SweepWorkerToHost,
} from '../protocol/sweep';
import { selectBackend, type BackendChoice } from './backend';
import { compileObjective, type CompiledObjective } from './compile';
import { formatError } from './formatError';
import { silenceTfjsBanner } from './quietTfjs';
import { runObjective } from './run';
import { RunFailure } from './runFailure';
import { KeptObjectives } from './sweepReuse';

/** What a sweep passes to each worker (workerData). */
export interface SweepWorkerData {
  readonly kind: 'optlab-sweep-worker';
  /** Int32Array of one element: 1 = cancel every run. */
  readonly cancelFlag: SharedArrayBuffer;
  readonly backend?: BackendId;
}

export function isSweepWorkerData(data: unknown): data is SweepWorkerData {
  return typeof data === 'object' && data !== null && (data as { kind?: unknown }).kind === 'optlab-sweep-worker';
}

/** Progress messages at most this often per worker. */
const PROGRESS_MS = 100;

const finite = (x: number | undefined): number | null => (x !== undefined && Number.isFinite(x) ? x : null);

/** Keeps every `stride`-th step's loss and the last one. */
class ThinnedLosses {
  private readonly kept: { step: number; loss: number | null }[] = [];
  private last?: { step: number; loss: number | null };
  constructor(private readonly stride: number) {}
  add(step: number, loss: number): void {
    this.last = { step, loss: finite(loss) };
    if (step % this.stride === 0) this.kept.push(this.last);
  }
  losses(): { step: number; loss: number | null }[] {
    const tail = this.kept[this.kept.length - 1];
    return this.last && tail !== this.last ? [...this.kept, this.last] : [...this.kept];
  }
}

function post(msg: SweepWorkerToHost): void {
  parentPort?.postMessage(msg);
}

async function runTask(task: SweepTask, backend: BackendChoice, cancelled: Int32Array, compile: typeof compileObjective, kept: KeptObjectives): Promise<SweepOutcome> {
  const planned = task.stopAfter ?? task.request.steps;
  const losses = new ThinnedLosses(Math.max(1, Math.ceil(planned / SWEEP_STEPS_KEPT)));
  let updates = 0;
  let lastProgress = 0;
  let meta: RunMeta | undefined;
  let done: Extract<RunnerToHost, { type: 'done' }> | undefined;
  const emit = (m: RunnerToHost): void => {
    if (m.type === 'started') meta = m.meta;
    else if (m.type === 'steps') for (const s of m.steps) losses.add(s.step, s.loss);
    else if (m.type === 'done') done = m;
  };
  const atRung = (): boolean => task.stopAfter !== undefined && updates >= task.stopAfter;
  let error: RunError | undefined;
  try {
    await runObjective(task.request, backend, tf, emit, {
      isCancelled: () => Atomics.load(cancelled, 0) === 1 || atRung(),
      lrSet: () => undefined,
      compile,
      compiledObjective: (key) => kept.source(key),
      keptData: (key) => kept.data(key),
      lossesOnly: true,
      stepDone: (step) => {
        updates = step + 1;
        const now = Date.now();
        if (now - lastProgress < PROGRESS_MS) return;
        lastProgress = now;
        post({ type: 'progress', task: task.task, steps: updates });
      },
    });
  } catch (e) {
    error = e instanceof RunFailure ? e.error : { kind: 'internal', message: e instanceof Error ? e.message : String(e) };
  }
  const fromMeta = meta ? { lr: meta.optimizer.lr, hp: meta.optimizer.hp, objective: meta.objective } : {};
  if (!done) {
    return { ...fromMeta, status: 'error', stepsDone: updates, final: { loss: null, gradNorm: null }, message: error ? formatError(error) : 'the run ended without a result', ...(error ? { error } : {}), steps: losses.losses() };
  }
  // Stopped at its rung, the run did what was asked.
  const status = done.status === 'cancelled' && atRung() ? 'completed' : done.status;
  // The loop stops at the step whose loss or gradient is not finite, after `updates` good ones.
  const divergedAt = done.status === 'diverged' ? updates : undefined;
  return {
    ...fromMeta, status, stepsDone: updates,
    final: { loss: finite(done.final.loss), gradNorm: finite(done.final.gradNorm) },
    ...(divergedAt !== undefined ? { divergedAt } : {}),
    ...(done.message && status !== 'completed' ? { message: done.message } : {}),
    steps: losses.losses(),
  };
}

/** The worker's main: answers tasks one at a time until told to exit. */
export async function runSweepWorker(data: SweepWorkerData): Promise<void> {
  silenceTfjsBanner();
  // tfjs-node must not load in a worker thread (a native crash takes the process down): wasm, else cpu.
  const backend = await selectBackend(data.backend === 'cpu' ? 'cpu' : 'wasm');
  registerSecondOrderGradients();
  const cancelled = new Int32Array(data.cancelFlag);
  const bundles = new Map<string, Promise<CompiledObjective>>();
  const compile = (file: string, text?: string): Promise<CompiledObjective> => {
    const key = `${file}\0${text ?? ''}`;
    let bundle = bundles.get(key);
    if (!bundle) {
      bundle = compileObjective(file, text);
      // A failed compile is not kept: its error is thrown to this run, and the next one tries again.
      bundle.catch(() => bundles.delete(key));
      bundles.set(key, bundle);
    }
    return bundle;
  };
  const kept = new KeptObjectives();
  let queue = Promise.resolve();
  parentPort?.on('message', (raw: unknown) => {
    const msg = parseMessage(sweepHostToWorkerSchema, raw, 'sweep worker input');
    if (msg.type === 'exit') {
      // Ends this thread only (process.exit in a worker stops the worker).
      void queue.then(() => process.exit(0));
      return;
    }
    queue = queue.then(async () => post({ type: 'outcome', task: msg.task, outcome: await runTask(msg, backend, cancelled, compile, kept) }));
  });
  post({ type: 'ready', backend: backend.backend });
}
