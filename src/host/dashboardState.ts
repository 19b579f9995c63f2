/**
 * The run history the host keeps for the dashboard (a hidden webview gets no
 * messages, so the host is the source of truth): the current code version's
 * runs, the previous version's runs as ghosts, the banner, and what each run
 * asked for so live mode can re-run the same set on new code.
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

  /** Registers a run about to start (it shows as waiting until `started`). */
  addRun(runId: string, origin: RunOrigin): void {
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

  /** Drops the current runs (a `run` that replaces them). Ghosts stay. */
  clearRuns(): void {
    for (const id of this.runs.keys()) this.origins.delete(id);
    this.runs.clear();
  }

  /** New code version: current runs become the ghosts, earlier ghosts go. */
  newVersion(): number {
    this.ghosts = [...this.runs.values()].filter((r) => r.steps.length > 0);
    this.clearRuns();
    this.version += 1;
    return this.version;
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

  /** What the current runs asked for, in order (live mode replays them). */
  currentOrigins(): RunOrigin[] {
    return [...this.runs.keys()].map((id) => this.origins.get(id)).filter((o): o is RunOrigin => o !== undefined);
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
