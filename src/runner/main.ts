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
import { runObjective } from './run';
import { RunFailure } from './runFailure';
import { silenceTfjsBanner } from './quietTfjs';
import { isSweepWorkerData, runSweepWorker } from './sweepWorker';

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

async function main(): Promise<void> {
  silenceTfjsBanner();
  const preferred = process.env.OPTLAB_BACKEND as BackendId | undefined;
  let backend: BackendChoice = await selectBackend(preferred);
  registerSecondOrderGradients();
  let active: Active | undefined;
  const queue: RunRequest[] = [];

  const runNext = async (): Promise<void> => {
    const req = queue.shift();
    if (!req) return;
    active = { runId: req.runId, cancelled: false, nextStep: 0, overMemory: false };
    const run = active;
    const emit = (m: RunnerToHost): void => {
      if (run.overMemory) return;
      send(m);
    };
    const stopWatch = req.memoryLimitBytes === undefined ? undefined : watchMemory({
      limitBytes: req.memoryLimitBytes, tf,
      onExceeded: (use) => {
        // The steps sent so far stay; memory a run grabbed is not reliably returned, so a fresh process takes the next run.
        run.overMemory = true;
        run.cancelled = true;
        sendError(new RunFailure(memoryError(req.memoryLimitBytes as number, use, run.where)), req.runId);
        exitWhenSent();
      },
    });
    try {
      if (req.backend && req.backend !== backend.backend) backend = await selectBackend(req.backend);
      await runObjective(req, backend, tf, emit, {
        isCancelled: () => run.cancelled,
        lrSet: () => run.lrSet,
        backpressure,
        stepDone: (step) => {
          run.nextStep = step + 1;
        },
        located: (where) => {
          run.where = where;
        },
      });
    } catch (e) {
      if (!run.overMemory) sendError(e, req.runId);
    } finally {
      stopWatch?.();
      // Past its memory limit the process is about to exit: it takes no next run.
      if (!run.overMemory) {
        active = undefined;
        void runNext();
      }
    }
  };

  const handle = (msg: HostToRunner): void => {
    switch (msg.type) {
      case 'run':
        queue.push(msg);
        if (!active) void runNext();
        return;
      case 'cancel': {
        const i = queue.findIndex((r) => r.runId === msg.runId);
        if (i >= 0) queue.splice(i, 1);
        if (active?.runId === msg.runId) active.cancelled = true;
        return;
      }
      case 'setLr': {
        if (active?.runId !== msg.runId) return;
        // Absolute: the next update runs at exactly this lr (the protocol validated it).
        active.lrSet = { lr: msg.lr, step: active.nextStep };
        send({ type: 'lrChanged', runId: msg.runId, step: active.nextStep, lr: msg.lr });
        return;
      }
      case 'list':
        listObjectives(msg.file, msg.text, tf).then(
          ({ objectives, optimizers, schedules, error }) =>
            send({ type: 'objectives', requestId: msg.requestId, objectives, optimizers, schedules, ...(error ? { error } : {}) }),
          (e: unknown) => sendError(e),
        );
        return;
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
    }
  };

  process.on('message', (raw) => {
    let msg: HostToRunner;
    try {
      msg = parseMessage(hostToRunnerSchema, raw, 'runner input');
    } catch (e) {
      sendError(e);
      return;
    }
    handle(msg);
  });
  // Exit with the parent: a disconnected runner has nobody to talk to.
  process.on('disconnect', () => process.exit(0));
  setInterval(() => send({ type: 'heartbeat', at: Date.now() }), HEARTBEAT_MS).unref();
  send({ type: 'ready', backend: backend.backend, tfjsVersion: backend.tfjsVersion, pid: process.pid });
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
