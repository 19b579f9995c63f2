/**
 * The runner child process (dist/runner.js). Receives HostToRunner messages,
 * validates each, runs one run at a time and streams RunnerToHost events.
 * cancel/setLr are handled while a run is in progress (the loop yields often).
 */
import { isMainThread, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { optimizerCatalog } from '../core/optimizers/catalog';
import { registerSecondOrderGradients } from '../core/tfjs/secondOrderGradients';
import { hostToRunnerSchema, parseMessage, type BackendId, type HostToRunner, type RunRequest, type RunnerToHost } from '../protocol/runner';
import { selectBackend, type BackendChoice } from './backend';
import { listObjectives } from './listObjectives';
import { EXIT_OVER_MEMORY, memoryError } from './memoryLimit';
import { watchMemory } from './memoryWatch';
import { landscapeRequests, type LandscapeRequests } from './landscapeRequests';
import { pathRecorder } from './pathStore';
import { lrFinderRun } from './lrFinderRun';
import { runObjective } from './run';
import { RunFailure } from './runFailure';
import { silenceTfjsBanner } from './quietTfjs';
import { isSweepWorkerData, runSweepWorker } from './sweepWorker';
import { takeTurn } from './tfTurns';
import { setWasmFlags } from './wasmFlags';

// Before any WebAssembly compiles (the products' fused multiply-add).
setWasmFlags();

const HEARTBEAT_MS = 1000;

interface Active {
  readonly runId: string;
  cancelled: boolean;
  /** The lr set mid-run and the update it applies from. */
  lrSet?: { lr: number; step: number };
  /** The next update's index: a new lr applies from there. */
  nextStep: number;
  /** The objective's file and declaration line, once loaded (a memory error names them). */
  where?: { file?: string; line?: number };
  /** The run passed its memory limit: its error is sent, nothing more is, and the process exits. */
  overMemory: boolean;
}

/**
 * Messages handed to the IPC channel and not yet written. A compiled run makes
 * 100,000+ step records a second, more than the host parses: without a bound
 * the backlog grows and a cancel's outcome waits behind it.
 */
let unwritten = 0;
const MAX_UNWRITTEN = 4;
const drained: (() => void)[] = [];

function send(msg: RunnerToHost): void {
  if (!process.send) return;
  unwritten++;
  process.send(msg, undefined, undefined, () => {
    unwritten--;
    if (unwritten <= MAX_UNWRITTEN) for (const resolve of drained.splice(0)) resolve();
  });
}

/** A promise when too many messages are waiting to be written (the run pauses until they are), else undefined. */
function backpressure(): Promise<void> | undefined {
  if (unwritten <= MAX_UNWRITTEN) return undefined;
  return new Promise((resolve) => drained.push(resolve));
}

/** Exits once every message handed to the IPC channel is written (at most a second later). */
function exitWhenSent(): void {
  const exit = (): never => process.exit(EXIT_OVER_MEMORY);
  setTimeout(exit, 1000).unref();
  const exitIfWritten = (): void => {
    if (unwritten === 0) exit();
    else drained.push(exitIfWritten);
  };
  exitIfWritten();
}

function sendError(e: unknown, runId?: string): void {
  const error =
    e instanceof RunFailure
      ? e.error
      : { kind: 'internal' as const, message: e instanceof Error ? e.message : String(e), stack: e instanceof Error ? e.stack : undefined };
  send({ type: 'error', ...(runId !== undefined ? { runId } : {}), error });
}

/** One run at a time, in the order requested; cancel and setLr act on the active run. */
class RunQueue {
  private active: Active | undefined;
  private readonly queue: RunRequest[] = [];

  constructor(private backend: BackendChoice) {}

  get backendInUse(): BackendChoice {
    return this.backend;
  }

  push(req: RunRequest): void {
    this.queue.push(req);
    if (!this.active) void this.runNext();
  }

  cancel(runId: string): void {
    const i = this.queue.findIndex((r) => r.runId === runId);
    if (i >= 0) this.queue.splice(i, 1);
    if (this.active?.runId === runId) this.active.cancelled = true;
  }

  setLr(runId: string, lr: number): void {
    const run = this.active;
    if (run?.runId !== runId) return;
    // Absolute: the next update runs at exactly this lr (the protocol validated it).
    run.lrSet = { lr, step: run.nextStep };
    send({ type: 'lrChanged', runId, step: run.nextStep, lr });
  }

  private async runNext(): Promise<void> {
    const req = this.queue.shift();
    if (!req) return;
    const run: Active = { runId: req.runId, cancelled: false, nextStep: 0, overMemory: false };
    this.active = run;
    const stopWatch = watchRunMemory(req, run);
    // Thinned path of a run of more than 2 parameters, for the dashboard's PCA and Hessian slices.
    const path = pathRecorder(req);
    let release: (() => void) | undefined;
    try {
      release = await takeTurn();
      if (req.backend && req.backend !== this.backend.backend) this.backend = await selectBackend(req.backend);
      const emit = (m: RunnerToHost): void => {
        path.see(m);
        if (!run.overMemory) send(m);
      };
      // A request with `lrFinder` is the lr range test: it stops itself once the test is over.
      const finder = lrFinderRun(req, emit);
      await runObjective(finder.request, this.backend, tf, finder.emit, {
        isCancelled: () => run.cancelled || finder.stopped(),
        lrSet: () => run.lrSet,
        backpressure,
        stepDone: (step, x) => {
          run.nextStep = step + 1;
          return path.step(step, x);
        },
        located: (where) => {
          run.where = where;
          send({ type: 'located', runId: req.runId, file: where.file, ...(where.line !== undefined ? { line: where.line } : {}) });
        },
      });
    } catch (e) {
      if (!run.overMemory) sendError(e, req.runId);
    } finally {
      release?.();
      stopWatch?.();
      // Past its memory limit the process is about to exit: it takes no next run.
      if (!run.overMemory) {
        this.active = undefined;
        void this.runNext();
      }
    }
  }
}

/** Watches the run's memory limit, if it has one: past it, the run's error is sent and the process exits. */
function watchRunMemory(req: RunRequest, run: Active): (() => void) | undefined {
  if (req.memoryLimitBytes === undefined) return undefined;
  const limitBytes = req.memoryLimitBytes;
  return watchMemory({
    limitBytes, tf,
    onExceeded: (use) => {
      // The steps sent so far stay; memory a run grabbed is not reliably returned, so a fresh process takes the next run.
      run.overMemory = true;
      run.cancelled = true;
      sendError(new RunFailure(memoryError(limitBytes, use, run.where)), req.runId);
      exitWhenSent();
    },
  });
}

/** Answers a list request: the file's objectives, optimizer rules and schedules. */
function answerList(msg: Extract<HostToRunner, { type: 'list' }>): void {
  listObjectives(msg.file, msg.text, tf).then(
    ({ objectives, optimizers, schedules, error }) =>
      send({ type: 'objectives', requestId: msg.requestId, objectives, optimizers, schedules, ...(error ? { error } : {}) }),
    (e: unknown) => sendError(e),
  );
}

function handle(runs: RunQueue, landscapes: LandscapeRequests, msg: HostToRunner): void {
  switch (msg.type) {
    case 'run':
      return runs.push(msg);
    case 'cancel':
      return runs.cancel(msg.runId);
    case 'setLr':
      return runs.setLr(msg.runId, msg.lr);
    case 'list':
      return answerList(msg);
    case 'catalog':
      try {
        send({ type: 'catalog', requestId: msg.requestId, optimizers: optimizerCatalog() });
      } catch (e) {
        sendError(e);
      }
      return;
    case 'ping':
      send({ type: 'heartbeat', at: Date.now() });
      return;
    case 'landscapeWindow':
      void landscapes.window(msg);
      return;
    case 'pathSlice':
      void landscapes.slice(msg);
      return;
    case 'interpolation':
      void landscapes.interpolation(msg);
      return;
  }
}

async function main(): Promise<void> {
  silenceTfjsBanner();
  const preferred = process.env.OPTLAB_BACKEND as BackendId | undefined;
  const runs = new RunQueue(await selectBackend(preferred));
  registerSecondOrderGradients();
  const landscapes = landscapeRequests(tf, send);
  process.on('message', (raw) => {
    let msg: HostToRunner;
    try {
      msg = parseMessage(hostToRunnerSchema, raw, 'runner input');
    } catch (e) {
      sendError(e);
      return;
    }
    handle(runs, landscapes, msg);
  });
  // Exit with the parent: a disconnected runner has nobody to talk to.
  process.on('disconnect', () => process.exit(0));
  setInterval(() => send({ type: 'heartbeat', at: Date.now() }), HEARTBEAT_MS).unref();
  const { backend, tfjsVersion } = runs.backendInUse;
  send({ type: 'ready', backend, tfjsVersion, pid: process.pid });
}

// The same bundle is a sweep's worker thread (src/runner/sweepPool.ts starts it with its workerData).
if (isMainThread) {
  main().catch((e: unknown) => {
    sendError(e);
    process.exit(1);
  });
} else if (isSweepWorkerData(workerData)) {
  void runSweepWorker(workerData);
}
