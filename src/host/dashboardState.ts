/**
 * The run history the host keeps for the dashboard (a hidden webview gets no
 * messages, so the host is the source of truth): the current code version's
 * runs, the previous version's runs as ghosts, the banner, and what each run
 * asked for so live mode can re-run the same set on new code. Runs of one
 * objective at a time: a run of another objective replaces what is shown
 * (the runs stay saved). Pinned runs stay across replacing runs and versions.
 */
import type { OptimizerInfo } from '../protocol/runner';
import type { Banner, ControlDefaults, DashboardEvent, HostToWebviewInput, RuleOption, RunSnapshot, ScheduleOption } from '../protocol/webview';
import { applyDashboardEvent, emptyRun } from '../protocol/runHistory';
import type { RunChoice, RunTarget } from './runSettings';

export interface RunOrigin {
  readonly target: RunTarget;
  readonly choice: RunChoice;
}

export class DashboardState {
  version = 0;
  private runs = new Map<string, RunSnapshot>();
  private ghosts: RunSnapshot[] = [];
  private readonly origins = new Map<string, RunOrigin>();
  banner: Banner | null = null;
  target?: { file: string; objective?: string };
  /** The workspace's optimizer rules, for the dashboard's menu. */
  rules: RuleOption[] = [];
  /** The workspace's schedule functions, for the dashboard's schedule list. */
  schedules: ScheduleOption[] = [];
  /** The built-in optimizers (the catalogue), for the dashboard's menu and its torch snippets; [] until loaded. */
  optimizers: OptimizerInfo[] = [];
  /** Runs the user pinned (the run history says which): kept by `clearRuns` and `newVersion`, not re-run live. */
  isPinned: (runId: string) => boolean = () => false;

  /** Registers a run about to start (it shows as waiting until `started`). */
  addRun(runId: string, origin: RunOrigin): void {
    this.keepObjective(origin.target.file, origin.target.objective);
    this.runs.set(runId, { ...emptyRun(runId), file: origin.target.file, ...(origin.choice.group ? { group: origin.choice.group } : {}) });
    this.origins.set(runId, origin);
    this.target = { file: origin.target.file, ...(origin.target.objective ? { objective: origin.target.objective } : {}) };
  }

  /** Makes an existing run a member of a seed group (the run it was repeated from). */
  joinGroup(runId: string, group: string): void {
    const run = this.runs.get(runId);
    const origin = this.origins.get(runId);
    if (!run || !origin) return;
    run.group = group;
    this.origins.set(runId, { ...origin, choice: { ...origin.choice, group } });
  }

  /** Drops the current runs but the pinned ones (a `run` that replaces them). Ghosts stay. */
  clearRuns(): void {
    for (const id of [...this.runs.keys()]) if (!this.isPinned(id)) this.drop(id);
  }

  /** New code version: current runs become the ghosts (pinned ones stay current), earlier ghosts go. */
  newVersion(): number {
    this.ghosts = [...this.runs.values()].filter((r) => r.steps.length > 0 && !this.isPinned(r.runId));
    this.clearRuns();
    this.version += 1;
    return this.version;
  }

  /** Draws a saved run (from the run history) beside the current ones; another objective's runs make way. */
  show(run: RunSnapshot, origin?: RunOrigin): void {
    const file = run.file ?? origin?.target.file;
    const objective = run.meta?.objective ?? origin?.target.objective;
    if (file !== undefined) {
      this.keepObjective(file, objective);
      this.target = { file, ...(objective ? { objective } : {}) };
    }
    this.runs.set(run.runId, run);
    if (origin) this.origins.set(run.runId, origin);
  }

  /** Stops drawing a run (current or ghost); it stays saved. */
  hide(runId: string): void {
    this.drop(runId);
    this.ghosts = this.ghosts.filter((g) => g.runId !== runId);
  }

  /** Whether a run is drawn (current or ghost). */
  isShown(runId: string): boolean {
    return this.runs.has(runId) || this.ghosts.some((g) => g.runId === runId);
  }

  private drop(runId: string): void {
    this.runs.delete(runId);
    this.origins.delete(runId);
  }

  /** Runs and ghosts of another objective than (file, objective) are no longer drawn: one chart, one objective. */
  private keepObjective(file: string, objective: string | undefined): void {
    const other = (r: RunSnapshot): boolean => {
      const runObjective = r.meta?.objective ?? this.origins.get(r.runId)?.target.objective;
      return (r.file !== undefined && r.file !== file) || (objective !== undefined && runObjective !== undefined && runObjective !== objective);
    };
    for (const r of [...this.runs.values()]) if (other(r)) this.drop(r.runId);
    this.ghosts = this.ghosts.filter((g) => !other(g));
  }

  /** Folds an event; events of runs no longer shown (replaced) are ignored. */
  apply(event: DashboardEvent): RunSnapshot | undefined {
    if (event.type !== 'error' || event.runId !== undefined) {
      if (!this.runs.has(event.runId as string)) return undefined;
    }
    return applyDashboardEvent(this.runs, event);
  }

  run(runId: string): RunSnapshot | undefined {
    return this.runs.get(runId);
  }

  origin(runId: string): RunOrigin | undefined {
    return this.origins.get(runId);
  }

  /** What the current runs asked for, in order (live mode replays them; pinned runs stay as they are). */
  currentOrigins(): RunOrigin[] {
    return [...this.runs.keys()].filter((id) => !this.isPinned(id)).map((id) => this.origins.get(id)).filter((o): o is RunOrigin => o !== undefined);
  }

  allRuns(): RunSnapshot[] {
    return [...this.runs.values()];
  }

  snapshot(defaults?: ControlDefaults): HostToWebviewInput {
    return {
      type: 'snapshot',
      version: this.version,
      runs: this.allRuns(),
      ghosts: this.ghosts,
      banner: this.banner,
      optimizers: this.optimizers,
      rules: this.rules,
      schedules: this.schedules,
      ...(this.target ? { target: this.target } : {}),
      interactive: true,
      ...(defaults ? { defaults } : {}),
    };
  }
}
