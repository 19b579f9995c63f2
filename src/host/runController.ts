/**
 * Starts runs, folds their events into the dashboard's history and tells the
 * editor parts (panel, status bar, lenses, Problems panel) what changed. No
 * vscode here: the adapters subscribe, and tests drive it with a fake runner.
 *
 * Live re-runs keep the last good plots: the new version's runs are adopted
 * (old runs become ghosts) only when the runner has compiled the new code and
 * started; a compile or load error before that shows a banner and a problem
 * and leaves the dashboard as it was.
 */
import type { OptimizerInfo, RunError } from '../protocol/runner';
import type { Banner, DashboardEvent, HostToWebviewInput, RuleOption, RunSnapshot, ScheduleOption } from '../protocol/webview';
import type { RunHandle, RunHandlers, RunnerClient } from '../runner/client';
import { DashboardState, type RunOrigin } from './dashboardState';
import { errorInFile } from './errorRange';
import { controlDefaults, runRequestFor, type RunChoice, type RunSettings, type RunTarget } from './runSettings';

export type RunnerPort = Pick<RunnerClient, 'run'>;

export interface ControllerListener {
  /** A message for the dashboard webview (already batched). */
  post?(message: HostToWebviewInput): void;
  /** A run started, advanced or finished (status bar, lenses). */
  runChanged?(run: RunSnapshot, origin: RunOrigin | undefined): void;
  /** The errors to show for `file` (empty: clear it). */
  problems?(file: string, errors: readonly RunError[]): void;
  /** Every event of every run, shown or not (the run history saves them). */
  runEvent?(event: DashboardEvent, origin: RunOrigin): void;
}

/** The runs started together (one Run, a Compare, a repeat) whose finished members the ▶ Run lens summarises. */
interface Batch {
  readonly ids: readonly string[];
  readonly finished: Map<string, RunSnapshot>;
}

interface Live {
  readonly handles: RunHandle[];
  adopted: boolean;
}

const BATCH_MS = 50;

export class RunController {
  readonly state = new DashboardState();
  private readonly handles = new Map<string, RunHandle>();
  private readonly listeners = new Set<ControllerListener>();
  private readonly lastByObjective = new Map<string, RunSnapshot>();
  /** The last batch of each objective with a finished run, by `${file}#${objective}`. */
  private readonly lastBatchByObjective = new Map<string, Batch>();
  private readonly batchOf = new Map<string, readonly string[]>();
  /** The last finished run of each optimizer rule, by `${ruleFile}#${rule}` (for its lens). */
  private readonly lastByRule = new Map<string, RunSnapshot>();
  private queue: DashboardEvent[] = [];
  private flushTimer?: NodeJS.Timeout;
  private nextId = 0;
  private live?: Live;
  /** Runs stopped on purpose: their "cancelled before it started" is not an error to show. */
  private readonly cancelled = new Set<string>();

  constructor(
    private readonly runner: RunnerPort,
    private readonly settings: () => RunSettings,
    /** How a file is named in the dashboard's banner (workspace-relative in the editor). */
    private readonly displayPath: (file: string) => string = (file) => file,
  ) {}

  listen(listener: ControllerListener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Runs `choices` on `target`: 'replace' drops the dashboard's current runs first, 'add' compares. */
  start(target: RunTarget, choices: readonly RunChoice[], mode: 'replace' | 'add'): string[] {
    if (mode === 'replace') {
      this.stop();
      this.state.clearRuns();
      this.state.banner = null;
      // Queued events belong to the dropped runs: the snapshot replaces them.
      this.queue = [];
      this.flush();
      this.postNow(this.snapshot());
    }
    const ids = choices.map(() => this.newRunId());
    ids.forEach((runId, i) => {
      const origin = { target, choice: choices[i] };
      this.batchOf.set(runId, ids);
      this.state.addRun(runId, origin);
      this.handles.set(runId, this.launch(runId, origin, (e) => this.event(e)));
    });
    return ids;
  }

  /** Draws saved runs (the run history's Show) beside the current ones, or instead of another objective's. */
  showRuns(runs: readonly { run: RunSnapshot; origin?: RunOrigin }[]): void {
    this.flush();
    for (const { run, origin } of runs) this.state.show(run, origin);
    this.postNow(this.snapshot());
  }

  /** Stops drawing runs (they stay saved and keep running). */
  hideRuns(runIds: readonly string[]): void {
    this.flush();
    for (const id of runIds) this.state.hide(id);
    this.postNow(this.snapshot());
  }

  /** The runs an earlier session finished last on an objective, so its lens tells their result after a reload. */
  rememberBatch(file: string, objective: string, runs: readonly RunSnapshot[]): void {
    const key = `${file}#${objective}`;
    if (this.lastBatchByObjective.has(key)) return;
    this.lastBatchByObjective.set(key, { ids: runs.map((r) => r.runId), finished: new Map(runs.map((r) => [r.runId, r])) });
  }

  /**
   * "Repeat with N seeds": runs `runId`'s configuration with seeds s+1 … s+N−1
   * (s: its own seed) beside it; the run itself is the group's seed s, so no
   * work is repeated. A snapshot tells the dashboard about the group.
   */
  repeat(runId: string, seeds: number): string[] {
    const origin = this.state.origin(runId);
    const run = this.state.run(runId);
    if (!origin || !run) return [];
    const base = run.meta?.seed ?? origin.choice.seed ?? 0;
    const group = run.group ?? `seeds-${runId}`;
    this.flush();
    this.state.joinGroup(runId, group);
    const choices = Array.from({ length: seeds - 1 }, (_, k) => ({ ...origin.choice, seed: base + k + 1, group }));
    const ids = choices.map((choice) => {
      const id = this.newRunId();
      this.state.addRun(id, { target: origin.target, choice });
      return { id, choice };
    });
    const batch = [runId, ...ids.map(({ id }) => id)];
    for (const id of batch) this.batchOf.set(id, batch);
    this.postNow(this.snapshot());
    for (const { id, choice } of ids) this.handles.set(id, this.launch(id, { target: origin.target, choice }, (e) => this.event(e)));
    return ids.map(({ id }) => id);
  }

  /** The dashboard's full state, with the controls' starting values from the settings. */
  snapshot(): HostToWebviewInput {
    return this.state.snapshot(controlDefaults(this.settings()));
  }

  /** The built-in optimizers' catalogue was read: the dashboard gets it in a new snapshot. */
  setOptimizers(optimizers: readonly OptimizerInfo[]): void {
    this.state.optimizers = [...optimizers];
    this.flush();
    this.postNow(this.snapshot());
  }

  /** The workspace's optimizer rules changed: the dashboard's menu follows. */
  setRules(rules: readonly RuleOption[]): void {
    if (JSON.stringify(rules) === JSON.stringify(this.state.rules)) return;
    this.state.rules = [...rules];
    this.postNow({ type: 'rules', rules: this.state.rules });
  }

  /** The workspace's schedule functions changed: the dashboard's schedule list follows. */
  setSchedules(schedules: readonly ScheduleOption[]): void {
    if (JSON.stringify(schedules) === JSON.stringify(this.state.schedules)) return;
    this.state.schedules = [...schedules];
    this.postNow({ type: 'schedules', schedules: this.state.schedules });
  }

  /**
   * A file's text changed in live mode: cancel what runs, re-run the
   * dashboard's runs that use that file, as their objective file or as their
   * optimizer rule's file, on the new text; with none, run `fallback` (on
   * `fallbackTarget`, else on the edited file).
   */
  rerun(target: RunTarget & { text: string }, fallback: RunChoice, fallbackTarget?: RunTarget): { cancel(): void; done: Promise<unknown> } {
    this.stop();
    const origins = editedOrigins(this.state.currentOrigins(), target.file, target.text);
    if (origins.length === 0) origins.push({ target: fallbackTarget ?? target, choice: fallback });
    const live: Live = { handles: [], adopted: false };
    this.live = live;
    const pending = origins.map((origin) => ({ runId: this.newRunId(), origin }));
    for (const { runId } of pending) this.batchOf.set(runId, pending.map((p) => p.runId));
    for (const { runId, origin } of pending) {
      const handle = this.launch(runId, origin, (e) => {
        if (!live.adopted) {
          if (e.type === 'started') this.adopt(live, pending, target.file);
          else if (e.type === 'error') {
            this.showError(target.file, e.error, origin.choice.rule?.file);
            return;
          } else return;
        }
        this.event(e);
      });
      live.handles.push(handle);
      this.handles.set(runId, handle);
    }
    return {
      cancel: () => pending.forEach(({ runId }) => this.stop(runId)),
      done: Promise.all(live.handles.map((h) => h.result)),
    };
  }

  /** Stops one run, or every run. */
  stop(runId?: string): void {
    const ids = runId !== undefined ? [runId] : [...this.handles.keys()];
    for (const id of ids) {
      this.cancelled.add(id);
      this.handles.get(id)?.cancel();
    }
  }

  setLr(runId: string, lr: number): void {
    this.handles.get(runId)?.setLr(lr);
  }

  get running(): boolean {
    return this.handles.size > 0;
  }

  /** The last finished run of an objective (for its lens). */
  lastRun(file: string, objective: string): RunSnapshot | undefined {
    return this.lastByObjective.get(`${file}#${objective}`);
  }

  /** The finished runs of the last batch run on an objective, and how many runs that batch started (for its lens). */
  lastBatch(file: string, objective: string): { runs: RunSnapshot[]; size: number } | undefined {
    const batch = this.lastBatchByObjective.get(`${file}#${objective}`);
    return batch ? { runs: [...batch.finished.values()], size: batch.ids.length } : undefined;
  }

  /** The last finished run of an optimizer rule (for its lens). */
  lastRuleRun(ruleFile: string, rule: string): RunSnapshot | undefined {
    return this.lastByRule.get(`${ruleFile}#${rule}`);
  }

  dispose(): void {
    this.stop();
    clearTimeout(this.flushTimer);
    this.listeners.clear();
  }

  private newRunId(): string {
    this.nextId += 1;
    return `h${Date.now().toString(36)}-${this.nextId}`;
  }

  private launch(runId: string, origin: RunOrigin, show: (e: DashboardEvent) => void): RunHandle {
    const emit = (e: DashboardEvent): void => {
      for (const l of this.listeners) l.runEvent?.(e, origin);
      show(e);
    };
    const request = runRequestFor(this.settings(), origin.target, origin.choice, runId);
    const handlers: RunHandlers = {
      onStarted: (meta, file) => emit({
        type: 'started', runId, meta, file: file ?? origin.target.file, ...(origin.choice.group ? { group: origin.choice.group } : {}),
      }),
      onLandscape: (landscape) => emit({ type: 'landscape', runId, ...landscape }),
      onSteps: (steps) => emit({ type: 'steps', runId, steps: [...steps] }),
      onCurvature: (sample) => emit({ type: 'curvature', runId, sample }),
      onLrChanged: (step, lr) => emit({ type: 'lrChanged', runId, step, lr }),
    };
    const handle = this.runner.run(request, handlers);
    void handle.result.then((outcome) => {
      this.handles.delete(runId);
      const quiet = this.cancelled.delete(runId) && outcome.kind === 'error';
      if (quiet) {
        for (const l of this.listeners) l.runEvent?.({ type: 'error', runId, error: outcome.error }, origin);
        this.event({ type: 'error', runId, error: outcome.error }, true);
      } else emit(outcome.kind === 'done' ? outcome.done : { type: 'error', runId, error: outcome.error });
      const run = this.state.run(runId);
      const objective = run?.meta?.objective ?? origin.target.objective;
      if (run && objective && !(outcome.kind === 'done' && outcome.done.status === 'cancelled')) {
        this.lastByObjective.set(`${origin.target.file}#${objective}`, run);
        this.noteFinished(`${origin.target.file}#${objective}`, run);
        const rule = origin.choice.rule;
        if (rule && origin.choice.optimizer) this.lastByRule.set(`${rule.file}#${origin.choice.optimizer}`, run);
      }
      this.batchOf.delete(runId);
      if (run) this.notify(run);
    });
    return handle;
  }

  private noteFinished(key: string, run: RunSnapshot): void {
    const ids = this.batchOf.get(run.runId) ?? [run.runId];
    let batch = this.lastBatchByObjective.get(key);
    if (batch?.ids !== ids) {
      batch = { ids, finished: new Map() };
      this.lastBatchByObjective.set(key, batch);
    }
    batch.finished.set(run.runId, run);
    this.batchOf.delete(run.runId);
  }

  /** The first run of a live version compiled and started: it replaces the current runs. */
  private adopt(live: Live, pending: readonly { runId: string; origin: RunOrigin }[], file: string): void {
    live.adopted = true;
    this.flush();
    const version = this.state.newVersion();
    for (const { runId, origin } of pending) this.state.addRun(runId, origin);
    this.postNow({ type: 'liveVersion', version });
    // The page moved every run to the ghosts; pinned runs stay current, so it gets the whole state.
    if (this.state.allRuns().some((r) => this.state.isPinned(r.runId))) this.postNow(this.snapshot());
    if (this.state.banner) {
      this.state.banner = null;
      this.postNow({ type: 'banner', banner: null });
    }
    for (const l of this.listeners) l.problems?.(file, []);
  }

  /** Banner and Problems for an error; a rule's error without a file of its own belongs to the rule's file. */
  private showError(file: string, error: RunError, ruleFile?: string): void {
    const where = error.file ?? (error.kind === 'optimizer-rule' ? ruleFile : undefined);
    const banner: Banner = {
      severity: 'error',
      message: error.message,
      ...(where ? { file: this.displayPath(where) } : {}),
      ...(error.line ? { line: error.line } : {}),
      ...(error.column ? { column: error.column } : {}),
    };
    this.state.banner = banner;
    this.postNow({ type: 'banner', banner });
    for (const l of this.listeners) l.problems?.(where ?? file, errorInFile(error, where ?? file) ? [error] : []);
  }

  private event(e: DashboardEvent, quiet = false): void {
    const run = this.state.apply(e);
    if (!run) return;
    this.queue.push(e);
    if (this.flushTimer === undefined) this.flushTimer = setTimeout(() => this.flush(), BATCH_MS);
    if (e.type === 'started') {
      // The objective file and the rule's file both compiled and loaded: their earlier problems are gone.
      const ruleFile = this.state.origin(run.runId)?.choice.rule?.file;
      for (const l of this.listeners) {
        l.problems?.(run.file ?? '', []);
        if (ruleFile && ruleFile !== run.file) l.problems?.(ruleFile, []);
      }
    }
    if (e.type === 'error' && !quiet) {
      // A runtime error (objective threw at a line) also goes to the banner and the Problems panel.
      this.showError(run.file ?? '', e.error, this.state.origin(run.runId)?.choice.rule?.file);
    }
    if (e.type === 'started' || e.type === 'steps') this.notify(run);
  }

  private notify(run: RunSnapshot): void {
    const origin = this.state.origin(run.runId);
    for (const l of this.listeners) l.runChanged?.(run, origin);
  }

  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.queue.length === 0) return;
    const events = this.queue;
    this.queue = [];
    this.postNow({ type: 'events', events });
  }

  private postNow(message: HostToWebviewInput): void {
    for (const l of this.listeners) l.post?.(message);
  }
}

/** The runs an edit of `file` re-runs (it is their objective file or their rule's file), with the new text put in. */
export function editedOrigins(origins: readonly RunOrigin[], file: string, text: string): RunOrigin[] {
  const out: RunOrigin[] = [];
  for (const o of origins) {
    const objective = o.target.file === file;
    const rule = o.choice.rule?.file === file;
    if (!objective && !rule) continue;
    out.push({
      target: objective ? { ...o.target, text } : o.target,
      choice: rule && o.choice.rule ? { ...o.choice, rule: { ...o.choice.rule, text } } : o.choice,
    });
  }
  return out;
}
