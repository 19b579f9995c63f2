/**
 * RunnerClient: the one way to talk to the runner process, shared by the CLI
 * and the VS Code host (which wraps it; no vscode here). It keeps one warm
 * child process, validates every message it receives, enforces each run's
 * wall-time limit by killing the child (then restarts it), and turns crashes
 * and silent children into 'runner-crash' errors.
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  hostToRunnerSchema,
  parseMessage,
  runRequestSchema,
  runnerToHostSchema,
  type HostToRunner,
  type OptimizerInfo,
  type RunError,
  type RunMeta,
  type RunRequest,
  type RunRequestInput,
  type RunnerToHost,
} from '../protocol/runner';
import { MEMORY_CHECK_MS, childOverLimit, defaultMemoryLimitBytes, exitError, heapLimitMb, type ObjectiveWhere } from './memoryLimit';
import type { LandscapeWindowAnswer, LandscapeWindowRequest } from '../protocol/landscapeWindow';
import type { PathSliceAnswer, PathSliceRequest } from '../protocol/pathSlice';
import type { InterpolationAnswer, InterpolationRequest } from '../protocol/interpolation';
import { PendingRequests } from './pendingRequests';

import type { FileListing, ReadyEvent, RunHandle, RunHandlers, RunOutcome, RunnerClientOptions } from './clientTypes';
export type { DoneEvent, FileListing, ReadyEvent, RunHandle, RunHandlers, RunOutcome, RunnerClientOptions } from './clientTypes';

interface PendingRun {
  readonly request: RunRequest;
  readonly handlers: RunHandlers;
  readonly resolve: (o: RunOutcome) => void;
  meta?: RunMeta;
  /** The objective's line, once the child said where the objective is ('located'). */
  line?: number;
  timer?: NodeJS.Timeout;
  cancelTimer?: NodeJS.Timeout;
  memoryTimer?: NodeJS.Timeout;
  cancelled: boolean;
  sent: boolean;
}

/** What `request` sends (the requestId is added there). */
type RequestBody = { type: 'list'; file: string; text?: string } | { type: 'catalog' } | LandscapeAsk;
/** A landscape request as the client takes it, and its answer. */
export type LandscapeAsk = Omit<LandscapeWindowRequest, 'requestId'> | Omit<PathSliceRequest, 'requestId'> | Omit<InterpolationRequest, 'requestId'>;
export type LandscapeAnswer = LandscapeWindowAnswer | PathSliceAnswer | InterpolationAnswer;
/** A landscape request waits for the active run (up to its time limit) and then takes its own budget. */
const LANDSCAPE_TIMEOUT_MS = 180_000;

/** A run's objective file, and its line once known: where the errors the parent reports for the run point. */
function whereOf(run: PendingRun | undefined): ObjectiveWhere {
  if (!run) return {};
  return { file: run.request.file, ...(run.line !== undefined ? { line: run.line } : {}) };
}

export function defaultRunnerPath(): string {
  const candidates = [path.join(__dirname, 'runner.js'), path.join(__dirname, '..', '..', 'dist', 'runner.js')];
  return candidates.find((p) => fs.existsSync(p)) ?? candidates[0];
}

export class RunnerClient {
  private readonly options: Required<Omit<RunnerClientOptions, 'onOutput' | 'backend'>> & Pick<RunnerClientOptions, 'onOutput' | 'backend'>;
  private child?: ChildProcess;
  private ready?: Promise<ReadyEvent>;
  private lastMessageAt = 0;
  private readonly queue: PendingRun[] = [];
  private active?: PendingRun;
  private readonly requests = new PendingRequests();
  private readonly monitor: NodeJS.Timeout;
  private nextId = 0;
  private disposed = false;
  /** Processes started so far (1 after the first run; grows after each kill or crash). */
  starts = 0;

  constructor(options: RunnerClientOptions = {}) {
    this.options = {
      runnerPath: options.runnerPath ?? defaultRunnerPath(),
      memoryLimitBytes: options.memoryLimitBytes ?? defaultMemoryLimitBytes(),
      maxOldSpaceMb: options.maxOldSpaceMb ?? 4096,
      heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? 10_000,
      killGraceMs: options.killGraceMs ?? 250,
      cancelKillMs: options.cancelKillMs ?? 2_000,
      listTimeoutMs: options.listTimeoutMs ?? 15_000,
      onOutput: options.onOutput,
      backend: options.backend,
      modulePaths: options.modulePaths ?? [],
    };
    this.monitor = setInterval(() => this.checkHeartbeat(), 1000);
    this.monitor.unref();
  }

  /** The child's pid (undefined before the first start). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the child if needed and resolves when it is ready (TensorFlow.js loaded, backend chosen). */
  start(): Promise<ReadyEvent> {
    if (this.disposed) return Promise.reject(new Error('runner client is disposed'));
    if (this.ready) return this.ready;
    const { runnerPath } = this.options;
    const maxOldSpaceMb = heapLimitMb(this.options.maxOldSpaceMb, this.options.memoryLimitBytes);
    if (!fs.existsSync(runnerPath)) return Promise.reject(new Error(`runner bundle not found at ${runnerPath} (run npm run build)`));
    const piped = this.options.onOutput !== undefined;
    const child = fork(runnerPath, [], {
      serialization: 'advanced',
      // No --enable-source-maps: it parses the runner bundle's own map at start-up (~0.5 s). loadBundle turns
      // source maps on before it loads an objective, so the user's stacks still point at their .ts lines.
      execArgv: [`--max-old-space-size=${maxOldSpaceMb}`],
      stdio: ['ignore', piped ? 'pipe' : 'inherit', piped ? 'pipe' : 'inherit', 'ipc'],
      env: {
        ...process.env,
        ...(this.options.backend ? { OPTLAB_BACKEND: this.options.backend } : {}),
        ...(this.options.modulePaths.length > 0
          ? { NODE_PATH: [...this.options.modulePaths, ...(process.env.NODE_PATH ? [process.env.NODE_PATH] : [])].join(path.delimiter) }
          : {}),
      },
    });
    this.child = child;
    this.starts += 1;
    this.lastMessageAt = Date.now();
    if (piped) {
      child.stdout?.on('data', (d: Buffer) => this.options.onOutput?.('stdout', d.toString()));
      child.stderr?.on('data', (d: Buffer) => this.options.onOutput?.('stderr', d.toString()));
    }
    this.ready = new Promise<ReadyEvent>((resolve, reject) => {
      child.on('message', (raw) => {
        if (child !== this.child) return;
        this.lastMessageAt = Date.now();
        let msg: RunnerToHost;
        try {
          msg = parseMessage(runnerToHostSchema, raw, 'runner output');
        } catch (e) {
          this.failActive({ kind: 'internal', message: (e as Error).message });
          return;
        }
        if (msg.type === 'ready') resolve(msg);
        else this.handle(msg);
      });
      child.on('exit', (code, signal) => {
        const error = exitError(code, signal, maxOldSpaceMb, this.limitOf(this.active), whereOf(this.active));
        const message = error.kind === 'memory' ? `the runner process exited (${error.message})` : error.message;
        // Anyone still waiting for this child's 'ready' learns it will never come.
        reject(new Error(message));
        if (child !== this.child) return; // killed on purpose: the killer reports why
        this.child = undefined;
        this.ready = undefined;
        this.failActive(error);
        this.failRequests({ kind: 'runner-crash', message });
        this.restartIfNeeded();
      });
    });
    // A start failure is reported through the requests that wait on it.
    this.ready.catch(() => undefined);
    return this.ready;
  }

  /** Queues a run; events go to `handlers`, the outcome to `result`. */
  run(input: Omit<RunRequestInput, 'type' | 'runId'> & { runId?: string }, handlers: RunHandlers = {}): RunHandle {
    const runId = input.runId ?? `run-${process.pid}-${++this.nextId}`;
    const memoryLimitBytes = input.memoryLimitBytes ?? this.options.memoryLimitBytes;
    const request = parseMessage(runRequestSchema, { ...input, type: 'run', runId, memoryLimitBytes }, 'run request');
    let pending!: PendingRun;
    const result = new Promise<RunOutcome>((resolve) => {
      pending = { request, handlers, resolve, cancelled: false, sent: false };
    });
    this.queue.push(pending);
    void this.pump();
    return {
      runId,
      result,
      cancel: () => this.cancel(pending),
      setLr: (lr: number) => {
        if (pending.sent && this.active === pending) this.send({ type: 'setLr', runId, lr });
      },
    };
  }

  /** The objectives, optimizer rules and schedule functions in a file (from disk, or unsaved `text`). */
  async list(file: string, text?: string): Promise<FileListing> {
    const failed = (error: RunError): FileListing => ({ objectives: [], optimizers: [], schedules: [], error });
    return this.request({ type: 'list', file, ...(text !== undefined ? { text } : {}) }, `loading ${file}`, failed, (msg) =>
      msg.type === 'objectives' ? { objectives: msg.objectives, optimizers: msg.optimizers, schedules: msg.schedules, ...(msg.error ? { error: msg.error } : {}) } : undefined);
  }

  /** Every built-in optimizer as the registry describes it (src/core/optimizers/catalog.ts); rejects when the runner cannot answer. */
  async catalog(): Promise<OptimizerInfo[]> {
    const failed = (error: RunError): never => {
      throw new Error(`the optimizer catalogue could not be read: ${error.message}`);
    };
    return this.request({ type: 'catalog' }, 'the optimizer catalogue', failed, (msg) => (msg.type === 'catalog' ? msg.optimizers : undefined));
  }

  /**
   * A landscape over a zoomed window, or a PCA/Hessian slice through recorded paths (src/runner/landscapeRequests.ts):
   * the answer, or a warning. It waits for the active run, so its time limit is the landscape's own; past it the
   * runner is not killed (the run in it is not the request's).
   */
  async landscape(ask: LandscapeAsk): Promise<LandscapeAnswer> {
    const failed = (error: RunError): LandscapeAnswer => ({ type: ask.type, requestId: '', warning: `landscape not drawn: ${error.message}` } as LandscapeAnswer);
    return this.request(ask, 'the landscape', failed, (msg) => (msg.type === ask.type ? msg : undefined), LANDSCAPE_TIMEOUT_MS);
  }

  /** Sends a request and resolves with its answer, or with `failed` (which may throw) after a crash or the time limit (list's, or `timeoutMs` without a kill). */
  private async request<T>(msg: RequestBody, what: string, failed: (e: RunError) => T, answerOf: (m: RunnerToHost) => T | undefined, timeoutMs?: number): Promise<T> {
    await this.start();
    const requestId = `${msg.type}-${++this.nextId}`;
    const limitMs = timeoutMs ?? this.options.listTimeoutMs;
    const message = `${what} did not finish within ${limitMs / 1000} s${timeoutMs === undefined ? ' (killed; the runner was restarted)' : ''}`;
    const answer = this.requests.add({
      requestId, timeoutMs: limitMs, onTimeout: () => (timeoutMs === undefined ? this.kill() : undefined), failed, answerOf,
      timeoutError: { kind: 'time-limit', message, ...('file' in msg ? { file: msg.file } : {}) },
    });
    this.send({ ...msg, requestId });
    return answer;
  }

  /** Stops the child and fails everything still waiting. */
  dispose(): void {
    this.disposed = true;
    clearInterval(this.monitor);
    const message = 'the runner was shut down';
    for (const p of this.queue.splice(0)) p.resolve({ kind: 'error', error: { kind: 'runner-crash', message } });
    this.failActive({ kind: 'runner-crash', message });
    this.failRequests({ kind: 'runner-crash', message });
    const child = this.child;
    this.child = undefined;
    this.ready = undefined;
    child?.kill('SIGKILL');
  }

  private send(msg: HostToRunner): void {
    this.child?.send(parseMessage(hostToRunnerSchema, msg, 'runner input'));
  }

  private async pump(): Promise<void> {
    if (this.active || this.queue.length === 0 || this.disposed) return;
    const next = this.queue.shift() as PendingRun;
    this.active = next;
    try {
      await this.start();
    } catch (e) {
      this.failActive({ kind: 'runner-crash', message: (e as Error).message });
      return;
    }
    if (this.active !== next) return;
    next.sent = true;
    next.timer = setTimeout(() => {
      if (this.active !== next) return;
      const s = next.request.timeLimitMs / 1000;
      this.kill();
      this.failActive({
        kind: 'time-limit',
        message: `the objective did not return within the time limit of ${s} s; the runner was killed and restarted`,
      });
    }, next.request.timeLimitMs + this.options.killGraceMs);
    next.memoryTimer = setInterval(() => this.checkMemory(next), MEMORY_CHECK_MS);
    this.send(next.request);
  }

  /** The parent's check: it works while the child is stuck in one long call, where the child's own watchdog cannot run. */
  private checkMemory(run: PendingRun): void {
    const pid = this.child?.pid;
    if (this.active !== run || pid === undefined) return;
    const error = childOverLimit(pid, this.limitOf(run), whereOf(run), Date.now() - this.lastMessageAt);
    if (!error) return;
    this.kill();
    this.failActive(error);
  }

  /** The run's memory limit (its request's, else this client's). */
  private limitOf(run: PendingRun | undefined): number {
    return run?.request.memoryLimitBytes ?? this.options.memoryLimitBytes;
  }

  private cancel(p: PendingRun): void {
    if (p.cancelled) return;
    p.cancelled = true;
    const i = this.queue.indexOf(p);
    if (i >= 0) {
      this.queue.splice(i, 1);
      p.resolve({ kind: 'error', error: { kind: 'internal', message: 'cancelled before it started' } });
      return;
    }
    if (this.active !== p || !p.sent) return;
    this.send({ type: 'cancel', runId: p.request.runId });
    p.cancelTimer = setTimeout(() => {
      if (this.active !== p) return;
      this.kill();
      this.failActive({ kind: 'runner-crash', message: `the run did not stop within ${this.options.cancelKillMs} ms of cancel; the runner was restarted` });
    }, this.options.cancelKillMs);
  }

  private handle(msg: RunnerToHost): void {
    if (msg.type === 'heartbeat' || msg.type === 'ready') return;
    if (msg.type === 'objectives' || msg.type === 'catalog' || msg.type === 'landscapeWindow' || msg.type === 'pathSlice' || msg.type === 'interpolation') {
      this.requests.answer(msg);
      return;
    }
    const run = this.active;
    if (msg.type === 'error' && msg.runId === undefined) {
      // Not tied to a run (e.g. a rejected message): the active run is the one affected.
      if (run) this.failActive(msg.error);
      return;
    }
    if (!run || run.request.runId !== msg.runId) return;
    switch (msg.type) {
      case 'located':
        run.line = msg.line;
        return;
      case 'started':
        run.meta = msg.meta;
        run.handlers.onStarted?.(msg.meta, msg.file);
        return;
      case 'landscape':
        run.handlers.onLandscape?.({
          ...(msg.grid ? { grid: msg.grid } : {}),
          ...(msg.warning !== undefined ? { warning: msg.warning } : {}),
        });
        return;
      case 'steps':
        run.handlers.onSteps?.(msg.steps);
        return;
      case 'curvature':
        run.handlers.onCurvature?.(msg.sample);
        return;
      case 'lrChanged':
        run.handlers.onLrChanged?.(msg.step, msg.lr);
        return;
      case 'lrFinder':
        run.handlers.onLrFinder?.(msg);
        return;
      case 'done':
        this.finish({ kind: 'done', meta: run.meta, done: msg });
        return;
      case 'error':
        // Past its memory limit the child exits: no later run may be sent to it.
        if (msg.error.kind === 'memory') this.kill();
        this.finish({ kind: 'error', meta: run.meta, error: msg.error });
        return;
    }
  }

  private finish(outcome: RunOutcome): void {
    const run = this.active;
    if (!run) return;
    clearTimeout(run.timer);
    clearTimeout(run.cancelTimer);
    clearInterval(run.memoryTimer);
    this.active = undefined;
    run.resolve(outcome);
    void this.pump();
  }

  private failActive(error: RunError): void {
    if (this.active) this.finish({ kind: 'error', meta: this.active.meta, error });
  }

  private failRequests(error: RunError): void {
    this.requests.failAll(error);
  }

  /** SIGKILL the child now; the caller reports why. A new child starts for waiting work. */
  private kill(): void {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    this.ready = undefined;
    child.kill('SIGKILL');
    this.restartIfNeeded();
  }

  /** Keeps a warm process after a kill or crash, unless disposed. */
  private restartIfNeeded(): void {
    if (this.disposed) return;
    setImmediate(() => {
      if (this.disposed || this.child) return;
      this.start().catch(() => undefined);
      void this.pump();
    });
  }

  private checkHeartbeat(): void {
    // During a run the run's own time limit applies; a silent idle child is hung.
    if (!this.child || this.active || this.requests.size > 0) return;
    if (Date.now() - this.lastMessageAt > this.options.heartbeatTimeoutMs) {
      this.kill();
    }
  }
}
