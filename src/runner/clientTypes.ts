/** The RunnerClient's options, the handlers a run reports to and how a run ends (src/runner/client.ts). */
import type {
  BackendId, CurvatureSample, LandscapeMessage, ObjectiveInfo, RuleInfo, RunError, RunMeta, RunnerToHost, ScheduleInfo, StepRecord,
} from '../protocol/runner';
import type { LrFinderEvent } from '../protocol/lrFinder';

export type DoneEvent = Extract<RunnerToHost, { type: 'done' }>;
export type ReadyEvent = Extract<RunnerToHost, { type: 'ready' }>;

export interface RunnerClientOptions {
  /** dist/runner.js; found next to this bundle or in the repository's dist/ when absent. */
  readonly runnerPath?: string;
  /** Heap limit of the child (MB): a runaway objective aborts the child, not the host. At most the memory limit. */
  readonly maxOldSpaceMb?: number;
  /**
   * A run stops with kind 'memory' when the child's memory passes this (bytes): the child watches its heap,
   * ArrayBuffers and tfjs memory, this client its resident memory. Default: defaultMemoryLimitBytes(), half the machine's.
   * A request's own memoryLimitBytes wins for that run.
   */
  readonly memoryLimitBytes?: number;
  /** Backend the child starts with (it can still switch per run). */
  readonly backend?: BackendId;
  /** A child that sends nothing (not even a heartbeat) for this long while idle is restarted. */
  readonly heartbeatTimeoutMs?: number;
  /** Extra time after a run's limit before the child is killed (the runner stops itself at the limit when it can). */
  readonly killGraceMs?: number;
  /** How long a cancelled run may take to stop before the child is killed. */
  readonly cancelKillMs?: number;
  readonly listTimeoutMs?: number;
  /** Receives the child's stdout/stderr (the user's console.log); inherited when absent. */
  readonly onOutput?: (stream: 'stdout' | 'stderr', text: string) => void;
  /**
   * Extra node_modules folders the child resolves from (NODE_PATH), e.g. the workspace's:
   * an installed extension ships no tfjs-node, so one installed there is used.
   */
  readonly modulePaths?: readonly string[];
}

export interface RunHandlers {
  /** `file`: the objective file the runner was asked to run. */
  onStarted?(meta: RunMeta, file?: string): void;
  onSteps?(steps: readonly StepRecord[]): void;
  /** The loss landscape around the run, or a warning why there is none. */
  onLandscape?(landscape: Omit<LandscapeMessage, 'type' | 'runId'>): void;
  onCurvature?(sample: CurvatureSample): void;
  onLrChanged?(step: number, lr: number): void;
  /** The lr range test's new points, and its suggestions once (requests with `lrFinder`). */
  onLrFinder?(event: LrFinderEvent): void;
}

/** How a run ended: a 'done' event, or an error (compile, objective, limit, crash...). */
export type RunOutcome =
  | { readonly kind: 'done'; readonly meta?: RunMeta; readonly done: DoneEvent }
  | { readonly kind: 'error'; readonly meta?: RunMeta; readonly error: RunError };

export interface RunHandle {
  readonly runId: string;
  readonly result: Promise<RunOutcome>;
  cancel(): void;
  setLr(lr: number): void;
}

/** A file's objectives, optimizer rules and schedule functions (the `list` answer), or the error that prevents listing them. */
export interface FileListing {
  readonly objectives: ObjectiveInfo[];
  readonly optimizers: RuleInfo[];
  readonly schedules: ScheduleInfo[];
  readonly error?: RunError;
}
