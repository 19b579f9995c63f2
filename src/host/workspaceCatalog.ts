/**
 * What the workspace's .ts files hold, found statically (discovery/findSites.ts, through the
 * discovery worker): the optimizer rules the dashboard's menu offers, the
 * schedule functions its schedule field lists, and the
 * objective a rule's "▶ Try on …" lens runs on. No vscode here: the adapter
 * (workspaceScanner.ts) feeds it file texts; tests feed it strings.
 */
import type { RuleOption, ScheduleOption } from '../protocol/webview';
import type { ObjectiveSite, SourceSites } from './discovery/sites';

type FileEntry = SourceSites;

/** An objective to run: its file and export name. */
export interface ObjectiveRef {
  readonly file: string;
  readonly objective: string;
}

export class WorkspaceCatalog {
  private readonly files = new Map<string, FileEntry>();
  private readonly listeners = new Set<() => void>();
  /** The latest update or removal of each file: an older text's sites arriving late are dropped. */
  private readonly latest = new Map<string, number>();
  private updates = 0;

  /** `sitesOf` finds a text's objectives, rules and schedules (the discovery worker's SourceIndex). */
  constructor(private readonly sitesOf: (text: string) => Promise<SourceSites>) {}

  /** Calls `listener` whenever the objectives or rules found change (not on every edit). */
  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Records a file's current text; true (and listeners told) when what it exports changed. */
  async update(file: string, text: string): Promise<boolean> {
    const mine = ++this.updates;
    this.latest.set(file, mine);
    const sites = await this.sitesOf(text);
    if (this.latest.get(file) !== mine) return false;
    const next: FileEntry = { ...sites, objectives: sites.objectives.filter((o) => o.exported) };
    const before = this.files.get(file);
    if (before && signature(before) === signature(next)) {
      // Same names and problems: keep the new lines for the menu without waking listeners.
      this.files.set(file, next);
      return false;
    }
    if (!before && isEmpty(next)) return false;
    this.files.set(file, next);
    this.fire();
    return true;
  }

  /** A deleted file: kept as known-and-empty, so a run of it is not taken for a file outside the scan. */
  remove(file: string): boolean {
    this.latest.set(file, ++this.updates);
    const before = this.files.get(file);
    if (!before || isEmpty(before)) return false;
    this.files.set(file, { objectives: [], rules: [], schedules: [] });
    this.fire();
    return true;
  }

  knows(file: string): boolean {
    return this.files.has(file);
  }

  /** The usable rules (exported, nothing wrong in sight), by file then line; `label` names a file for the menu. */
  ruleOptions(label: (file: string) => string = (f) => f): RuleOption[] {
    const out: RuleOption[] = [];
    for (const file of [...this.files.keys()].sort()) {
      for (const r of this.files.get(file)?.rules ?? []) {
        if (!r.exported || r.problem) continue;
        out.push({
          name: r.name, file, label: label(file),
          ...(r.summary !== undefined ? { summary: r.summary } : {}),
          ...(r.defaultLr !== undefined ? { defaultLr: r.defaultLr } : {}),
        });
      }
    }
    return out;
  }

  /** The schedule functions found (exported, first parameter `step`), by file then line; `label` names a file for the dashboard. */
  scheduleOptions(label: (file: string) => string = (f) => f): ScheduleOption[] {
    return [...this.files.keys()].sort().flatMap((file) =>
      (this.files.get(file)?.schedules ?? []).map((s) => ({ name: s.name, file, label: label(file), form: s.form })));
  }

  hasRule(file: string, name: string): boolean {
    return this.files.get(file)?.rules.some((r) => r.name === name && r.exported && !r.problem) ?? false;
  }

  /** The exported objectives of one file, in source order (undefined: the file was never seen). */
  objectivesOf(file: string): readonly ObjectiveSite[] | undefined {
    return this.files.get(file)?.objectives;
  }

  /** The first exported objective in the workspace, by file path then line. */
  firstObjective(): ObjectiveRef | undefined {
    for (const file of [...this.files.keys()].sort()) {
      const first = this.files.get(file)?.objectives.find((o) => !o.problem);
      if (first) return { file, objective: first.name };
    }
    return undefined;
  }

  private fire(): void {
    for (const l of [...this.listeners]) l();
  }
}

function isEmpty(entry: FileEntry): boolean {
  return entry.objectives.length === 0 && entry.rules.length === 0 && entry.schedules.length === 0;
}

function signature(entry: FileEntry): string {
  return JSON.stringify([
    entry.objectives.map((o) => [o.name, o.problem]), entry.rules.map((r) => [r.name, r.exported, r.problem, r.summary, r.defaultLr]),
    entry.schedules.map((s) => [s.name, s.form]),
  ]);
}

/**
 * The objective a rule's "▶ Try on …" runs on: the most recently run one
 * (`recent`, the dashboard's target) while it still exists, else the first
 * objective found in the workspace; undefined when there is none.
 */
export function tryTarget(catalog: WorkspaceCatalog, recent: { file: string; objective?: string } | undefined): ObjectiveRef | undefined {
  if (recent) {
    const known = catalog.objectivesOf(recent.file);
    // A file the scan never saw (outside the folders, untitled): trust the run that just worked.
    if (known === undefined && recent.objective) return { file: recent.file, objective: recent.objective };
    const named = recent.objective ? known?.find((o) => o.name === recent.objective) : known?.[0];
    if (named) return { file: recent.file, objective: named.name };
  }
  return catalog.firstObjective();
}
