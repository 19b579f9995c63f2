/**
 * What the dashboard knows: the current version's runs, the previous
 * version's ghosts, the banner and what the controls offer. Messages arrive
 * already validated; `apply` records what changed so the charts redraw only
 * that, once per animation frame.
 */
import { applyDashboardEvent } from '../src/protocol/runHistory';
import type { Banner, ControlDefaults, HostToWebview, OptimizerOption, RuleOption, RunSnapshot, ScheduleOption } from '../src/protocol/webview';

export interface Changes {
  /** Runs were added or removed, or a run got its meta: datasets must be rebuilt. */
  structure: boolean;
  /** Runs with new records since the last frame. */
  runs: Set<string>;
  banner: boolean;
  table: boolean;
}

export class DashboardModel {
  version = 0;
  readonly runs = new Map<string, RunSnapshot>();
  ghosts: RunSnapshot[] = [];
  banner: Banner | null = null;
  optimizers: OptimizerOption[] = [];
  /** The workspace's optimizer rules, offered beside the built-ins. */
  rules: RuleOption[] = [];
  /** The workspace's schedule functions, offered in the schedule field's list. */
  schedules: ScheduleOption[] = [];
  target: { file: string; objective?: string } | undefined;
  interactive = true;
  /** The controls' starting values from the user's settings (editor only). */
  defaults: ControlDefaults | undefined;
  /** Each run's lowest loss so far (a log axis cannot show a loss ≤ 0). */
  private readonly lowest = new Map<string, number>();
  /** Stable colour index per runId, in order of first appearance. */
  private readonly colours = new Map<string, number>();
  changes: Changes = fresh();
  /**
   * The page missed a message (a run's records came without its start, or a message was rejected): the host's
   * full state is asked for once (`takeSnapshotRequest`), as after a reload; its snapshot replaces what is here.
   */
  private snapshotWanted = false;
  private awaitingSnapshot = false;
  private readonly missedStarts = new Set<string>();

  apply(message: HostToWebview): void {
    switch (message.type) {
      case 'snapshot':
        this.version = message.version;
        this.runs.clear();
        for (const r of message.runs) this.runs.set(r.runId, r);
        this.ghosts = message.ghosts;
        for (const r of [...message.runs, ...message.ghosts]) this.noteLowest(r.runId, r.steps);
        this.banner = message.banner;
        if (message.optimizers) this.optimizers = message.optimizers;
        if (message.rules) this.rules = message.rules;
        if (message.schedules) this.schedules = message.schedules;
        this.target = message.target;
        this.interactive = message.interactive;
        if (message.defaults) this.defaults = message.defaults;
        this.changes.structure = this.changes.banner = this.changes.table = true;
        this.awaitingSnapshot = false;
        break;
      case 'liveVersion':
        this.version = message.version;
        this.ghosts = [...this.runs.values()];
        this.runs.clear();
        // A new version compiled: the old version's error no longer applies.
        this.banner = null;
        this.changes.banner = true;
        this.changes.structure = this.changes.table = true;
        break;
      case 'banner':
        this.banner = message.banner;
        this.changes.banner = true;
        break;
      case 'rules':
        this.rules = message.rules;
        break;
      case 'schedules':
        this.schedules = message.schedules;
        break;
      case 'events':
        for (const e of message.events) {
          const known = e.type === 'error' || this.runs.has(e.runId);
          const run = applyDashboardEvent(this.runs, e);
          if (e.type === 'error') {
            const severity = e.error.kind === 'diverged' ? 'warning' : 'error';
            this.banner = { severity, message: e.error.message, file: e.error.file, line: e.error.line, column: e.error.column };
            this.changes.banner = true;
          }
          if (!run) continue;
          if (run.meta === undefined && e.type !== 'started' && e.type !== 'error') this.missedStartOf(run.runId);
          if (e.type === 'steps' && this.noteLowest(run.runId, e.steps)) this.changes.structure = true;
          if (!known || e.type === 'started' || e.type === 'landscape') this.changes.structure = true;
          else this.changes.runs.add(run.runId);
          if (e.type !== 'steps' && e.type !== 'curvature') this.changes.table = true;
        }
        this.changes.table = true;
        break;
    }
  }

  /**
   * A message failed the page's checks: what it carried is in the host's state, asked for once until it comes.
   * Returns the line to log.
   */
  rejected(issue: { path: PropertyKey[]; message: string }): string {
    if (!this.awaitingSnapshot) this.snapshotWanted = this.awaitingSnapshot = true;
    return `optimizer-lab dashboard: rejected message: ${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`;
  }

  /** Whether the host's full state should be asked for now (true once per missed message). */
  takeSnapshotRequest(): boolean {
    const wanted = this.snapshotWanted;
    this.snapshotWanted = false;
    return wanted;
  }

  /** Records of a run whose `started` never came here: its meta (optimizer, lr, schedule) is only in the host's state. */
  private missedStartOf(runId: string): void {
    if (this.missedStarts.has(runId)) return;
    this.missedStarts.add(runId);
    this.snapshotWanted = this.awaitingSnapshot = true;
  }

  /** Takes the accumulated changes (the frame loop calls this once per frame). */
  takeChanges(): Changes {
    const c = this.changes;
    this.changes = fresh();
    return c;
  }

  colourIndex(runId: string): number {
    let i = this.colours.get(runId);
    if (i === undefined) {
      i = this.colours.size;
      this.colours.set(runId, i);
    }
    return i;
  }

  /** Members of each seed group among the current runs, in run order. */
  groups(): Map<string, RunSnapshot[]> {
    const out = new Map<string, RunSnapshot[]>();
    for (const r of this.runs.values()) {
      if (r.group === undefined) continue;
      const members = out.get(r.group) ?? [];
      members.push(r);
      out.set(r.group, members);
    }
    return out;
  }

  /** The lowest loss of a run so far (Infinity before its first step). */
  lowestLoss(runId: string): number {
    return this.lowest.get(runId) ?? Infinity;
  }

  /** Folds new records into the run's lowest loss; true when it just went below 0. */
  private noteLowest(runId: string, steps: readonly { loss: number }[]): boolean {
    const before = this.lowestLoss(runId);
    let low = before;
    for (const s of steps) if (s.loss < low) low = s.loss;
    this.lowest.set(runId, low);
    return before >= 0 && low < 0;
  }

  isRunning(run: RunSnapshot): boolean {
    return !run.done && !run.error && run.meta !== undefined;
  }

  /** The runs drawn (not hidden), then the ghosts when shown. */
  visible(hidden: readonly string[], showGhosts: boolean): { run: RunSnapshot; ghost: boolean }[] {
    const out: { run: RunSnapshot; ghost: boolean }[] = [];
    const off = new Set(hidden);
    for (const run of this.runs.values()) if (!off.has(run.runId)) out.push({ run, ghost: false });
    if (showGhosts) for (const run of this.ghosts) if (!off.has(run.runId)) out.push({ run, ghost: true });
    return out;
  }
}

function fresh(): Changes {
  return { structure: false, runs: new Set(), banner: false, table: false };
}
