/**
 * A pool of worker threads running a sweep's configurations, one at a time per
 * worker, as many workers as asked (default: one per core). Cancelling sets a
 * flag every worker reads between steps; runs stop with their partial results,
 * queued configurations come back 'cancelled' without running, and a worker that
 * does not finish within a grace period (stuck in the user's code) is terminated.
 */
import * as os from 'node:os';
import { Worker } from 'node:worker_threads';
import { parseMessage, type BackendId } from '../protocol/runner';
import { sweepWorkerToHostSchema, type SweepHostToWorker, type SweepOutcome, type SweepTask } from '../protocol/sweep';
import type { SweepWorkerData } from './sweepWorker';

export interface SweepPoolOptions {
  /** The runner bundle (dist/runner.js), which is also the worker's script. */
  readonly workerScript: string;
  readonly workers?: number;
  readonly backend?: BackendId;
  /** A task's run has taken this many steps so far. */
  onProgress?(task: number, steps: number): void;
}

/** After a cancel or close, a worker still running after this long is terminated. */
export const WORKER_GRACE_MS = 1000;
/** A run still going this long past its time limit is stuck in the user's code (the loop stops itself at the limit): its worker is terminated. */
export const HUNG_GRACE_MS = 2000;

interface Job {
  readonly task: Omit<SweepTask, 'type'>;
  readonly resolve: (o: SweepOutcome) => void;
}

interface Slot {
  readonly worker: Worker;
  job?: Job;
  exited: boolean;
  /** Terminates the worker when its run hangs past its time limit. */
  watchdog?: NodeJS.Timeout;
  hung?: boolean;
}

export function defaultWorkers(): number {
  return Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
}

const failed = (message: string): SweepOutcome => ({ status: 'error', stepsDone: 0, final: { loss: null, gradNorm: null }, message, steps: [] });
const notRun = (): SweepOutcome => ({ status: 'cancelled', stepsDone: 0, final: { loss: null, gradNorm: null }, message: 'cancelled before it started', steps: [] });

export class SweepPool {
  readonly size: number;
  private readonly cancelFlag = new SharedArrayBuffer(4);
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private closing = false;
  /** Resolved when no worker is running a configuration (see stopped()). */
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: SweepPoolOptions) {
    this.size = Math.max(1, Math.floor(options.workers ?? defaultWorkers()));
  }

  get cancelled(): boolean {
    return Atomics.load(new Int32Array(this.cancelFlag), 0) === 1;
  }

  /** Worker threads not yet exited. */
  get alive(): number {
    return this.slots.filter((s) => !s.exited).length;
  }

  /** Worker threads running a configuration now. */
  get busy(): number {
    return this.slots.filter((s) => s.job !== undefined).length;
  }

  /**
   * Resolves once no worker is running a configuration: after cancel(), when every run has stopped and
   * returned its result. The threads' exit comes after (close()): Node disposing each worker's isolate
   * took 140-600 ms on 2 loaded cores, time in which no run computes anything.
   */
  stopped(): Promise<void> {
    if (this.busy === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Runs one configuration on the next free worker. */
  run(task: Omit<SweepTask, 'type'>): Promise<SweepOutcome> {
    if (this.cancelled || this.closing) return Promise.resolve(notRun());
    return new Promise((resolve) => {
      this.queue.push({ task, resolve });
      this.dispatch();
    });
  }

  /** Stops every run between two steps; queued configurations resolve as not run. */
  cancel(): void {
    Atomics.store(new Int32Array(this.cancelFlag), 0, 1);
    for (const job of this.queue.splice(0)) job.resolve(notRun());
    this.closeWhenIdle();
  }

  /** Lets every worker exit (terminating any still busy after the grace period); resolves when all have exited. */
  async close(): Promise<void> {
    this.closing = true;
    this.closeWhenIdle();
    const live = this.slots.filter((s) => !s.exited);
    const timer = setTimeout(() => live.forEach((s) => void s.worker.terminate()), WORKER_GRACE_MS);
    await Promise.all(live.map((s) => new Promise<void>((resolve) => (s.exited ? resolve() : s.worker.once('exit', () => resolve())))));
    clearTimeout(timer);
  }

  private closeWhenIdle(): void {
    for (const s of this.slots) if (!s.job && !s.exited) this.send(s, { type: 'exit' });
  }

  private send(slot: Slot, msg: SweepHostToWorker): void {
    slot.worker.postMessage(msg);
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => !s.exited && !s.job);
      if (!slot) {
        if (this.slots.filter((s) => !s.exited).length >= this.size) return;
        slot = this.start();
      }
      const job = this.queue.shift() as Job;
      slot.job = job;
      const running = slot;
      running.watchdog = setTimeout(() => {
        running.hung = true;
        void running.worker.terminate();
      }, job.task.request.timeLimitMs + HUNG_GRACE_MS);
      this.send(slot, { type: 'task', ...job.task });
    }
  }

  private start(): Slot {
    const workerData: SweepWorkerData = { kind: 'optlab-sweep-worker', cancelFlag: this.cancelFlag, ...(this.options.backend ? { backend: this.options.backend } : {}) };
    // execArgv []: a worker needs none of the parent's flags (a test run's TypeScript loader would slow every run down).
    const worker = new Worker(this.options.workerScript, { workerData, execArgv: [], stdout: false, stderr: false });
    const slot: Slot = { worker, exited: false };
    this.slots.push(slot);
    worker.on('message', (raw: unknown) => this.onMessage(slot, raw));
    // A crash (out of memory, an uncaught error) fails the configuration it was running; the next gets a new worker.
    worker.on('error', (e: Error) => this.finish(slot, failed(`the sweep's worker failed: ${e.message}`)));
    worker.on('exit', (code) => {
      slot.exited = true;
      const limit = slot.job ? slot.job.task.request.timeLimitMs / 1000 : 0;
      this.finish(slot, slot.hung ? { ...failed(`the run did not return within its time limit (${limit} s), stuck in the objective's or rule's code: its worker was stopped`), status: 'time-limit' } : failed(`the sweep's worker exited (code ${code}) during the run`));
      if (!this.cancelled && !this.closing) this.dispatch();
    });
    return slot;
  }

  private onMessage(slot: Slot, raw: unknown): void {
    const msg = parseMessage(sweepWorkerToHostSchema, raw, 'sweep worker output');
    if (msg.type === 'progress') this.options.onProgress?.(msg.task, msg.steps);
    else if (msg.type === 'outcome') {
      this.finish(slot, msg.outcome);
      if (this.cancelled || this.closing) this.send(slot, { type: 'exit' });
      else this.dispatch();
    }
  }

  private finish(slot: Slot, outcome: SweepOutcome): void {
    const job = slot.job;
    slot.job = undefined;
    clearTimeout(slot.watchdog);
    job?.resolve(outcome);
    if (this.busy === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
