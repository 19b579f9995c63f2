/**
 * The run history between the controller and the store: every run that starts is saved as it streams and
 * finalised when it ends (shown or not); after a reload the runs drawn before are drawn again and each
 * objective's lens gets its last result back. The sidebar's actions come through here. No vscode: the
 * adapter passes the folder, the memory of what was drawn, and the rule files' reader.
 */
import { applyDashboardEvent } from '../../protocol/runHistory';
import type { DashboardEvent, RunSnapshot } from '../../protocol/webview';
import type { RunOrigin } from '../dashboardState';
import type { RunController } from '../runController';
import type { RunStore } from './runStore';
import { originOf, savedRequestOf } from './savedRequest';

export interface RunHistoryPorts {
  /** The ids drawn when the window closed (the workspace's memory), and where to keep them. */
  readonly shownIds: () => readonly string[];
  readonly setShownIds: (ids: readonly string[]) => void;
  /** The text of an optimizer rule's file (for its hash), undefined when unreadable. */
  readonly readText: (file: string) => Promise<string | undefined>;
  readonly log: (message: string) => void;
}

export class RunHistory {
  /** The runs streaming now, folded here too: a run no longer drawn is still saved whole. */
  private readonly streaming = new Map<string, RunSnapshot>();
  private lastShown = '';

  constructor(
    readonly store: RunStore,
    private readonly controller: RunController,
    private readonly ports: RunHistoryPorts,
  ) {
    controller.state.isPinned = (id) => store.get(id)?.header.pinned === true;
  }

  /** The controller's listener: records events, and remembers what is drawn after each change. */
  listener() {
    return {
      runEvent: (event: DashboardEvent, origin: RunOrigin) => this.record(event, origin),
      post: () => this.rememberShown(),
    };
  }

  /** Loads the folder, draws what was drawn before the reload and gives each objective's lens its last result. */
  async restore(): Promise<void> {
    await this.store.load();
    const wanted = new Set(this.ports.shownIds());
    const shown = await this.snapshots(this.store.list().filter((e) => wanted.has(e.header.runId)).reverse().map((e) => e.header.runId));
    if (shown.length > 0) this.controller.showRuns(shown);
    const latest = new Map<string, string>();
    for (const e of this.store.list()) {
      const objective = e.header.summary?.objective ?? e.header.request.objective;
      if (!objective) continue;
      const key = `${e.header.request.file}#${objective}`;
      if (!latest.has(key)) latest.set(key, e.header.runId);
    }
    for (const id of latest.values()) {
      const run = await this.store.read(id);
      const header = this.store.get(id)?.header;
      if (run && header) this.controller.rememberBatch(header.request.file, header.summary?.objective ?? header.request.objective ?? '', [run]);
    }
  }

  /** Draws saved runs (the live snapshot for a run still streaming). */
  async show(runIds: readonly string[]): Promise<void> {
    const runs = await this.snapshots(runIds);
    if (runs.length > 0) this.controller.showRuns(runs);
  }

  hide(runIds: readonly string[]): void {
    this.controller.hideRuns(runIds);
  }

  /** Compare selected: only these runs drawn (those of the first one's objective: one chart, one objective). */
  async compare(runIds: readonly string[]): Promise<void> {
    const runs = await this.snapshots(runIds);
    if (runs.length === 0) return;
    this.controller.hideRuns(this.controller.state.allRuns().map((r) => r.runId));
    this.controller.showRuns(runs);
  }

  async setPinned(runId: string, pinned: boolean): Promise<void> {
    await this.store.setPinned(runId, pinned);
  }

  async delete(runIds: readonly string[]): Promise<void> {
    const drawn = runIds.filter((id) => this.controller.state.isShown(id));
    if (drawn.length > 0) this.controller.hideRuns(drawn);
    for (const id of runIds) await this.store.delete(id);
  }

  /** What the saved run asked for, to run it again. */
  originOf(runId: string): RunOrigin | undefined {
    const entry = this.store.get(runId);
    return entry ? originOf(entry.header.request) : undefined;
  }

  /** The run as drawn: the live fold while it streams, else its file. */
  async snapshot(runId: string): Promise<RunSnapshot | undefined> {
    return this.streaming.get(runId) ?? this.controller.state.run(runId) ?? this.store.read(runId);
  }

  private async snapshots(runIds: readonly string[]): Promise<{ run: RunSnapshot; origin?: RunOrigin }[]> {
    const out: { run: RunSnapshot; origin?: RunOrigin }[] = [];
    for (const id of runIds) {
      const run = await this.snapshot(id);
      if (run) out.push({ run, ...(this.originOf(id) ? { origin: this.originOf(id) } : {}) });
    }
    return out;
  }

  private record(event: DashboardEvent, origin: RunOrigin): void {
    if (event.runId === undefined) return;
    const runId = event.runId;
    if (event.type === 'started') {
      this.streaming.set(runId, { runId, steps: [], curvature: [], lrChanges: [] });
      const rule = origin.choice.rule;
      const ruleText = rule ? (rule.text !== undefined ? Promise.resolve(rule.text) : this.ports.readText(rule.file)) : undefined;
      this.store.begin(runId, savedRequestOf(origin, event.meta), ruleText);
    }
    if (!this.streaming.has(runId)) return;
    applyDashboardEvent(this.streaming, event);
    this.store.append(runId, event);
    if (event.type === 'done' || event.type === 'error') {
      const run = this.streaming.get(runId) as RunSnapshot;
      this.streaming.delete(runId);
      void this.store.finish(runId, run).then((removed) => this.cleanedUp(removed));
    }
  }

  private cleanedUp(removed: readonly string[]): void {
    if (removed.length === 0) return;
    this.ports.log(`run history over its size cap: removed the oldest unpinned run(s) ${removed.join(', ')}`);
    const drawn = removed.filter((id) => this.controller.state.isShown(id));
    if (drawn.length > 0) this.controller.hideRuns(drawn);
  }

  private rememberShown(): void {
    const ids = this.controller.state.allRuns().map((r) => r.runId).filter((id) => this.store.get(id) !== undefined);
    const key = ids.join(',');
    if (key === this.lastShown) return;
    this.lastShown = key;
    this.ports.setShownIds(ids);
  }
}
