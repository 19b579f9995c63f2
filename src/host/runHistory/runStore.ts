/**
 * The saved runs of a workspace (one `.jsonl` file per run, src/protocol/savedRun.ts): a run's events are
 * appended as they stream, so a crash keeps what streamed; when it ends the file is rewritten whole in its
 * compact final form. Pinned runs are never cleaned up; past the size cap the oldest others go first.
 * Only `delete` and that clean-up remove files. Every write is asynchronous and the writes of one run are
 * chained in order. No vscode here: the adapter gives the folder and the settings.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { SavedRequest, SavedRunHeader } from '../../protocol/savedRun';
import type { DashboardEvent, RunSnapshot } from '../../protocol/webview';
import { listRunFiles, readRunFile, writeFileWhole } from '../../runner/runFiles/runDir';
import { DEFAULT_MAX_STEP_RECORDS, RUN_FILE_EXTENSION, eventLine, finalText, headerLine, interruptedRun, newHeader } from '../../runner/runFiles/runFileFormat';

export interface RunStoreOptions {
  readonly dir: string;
  /** The size cap in bytes (0: none), read at each clean-up so a settings change applies. */
  readonly maxBytes: () => number;
  readonly maxStepRecords?: number;
  readonly warn: (message: string) => void;
  readonly now?: () => Date;
}

export interface StoredRun {
  header: SavedRunHeader;
  readonly path: string;
  bytes: number;
  /** Streaming in this session (not cleaned up, not recovered). */
  live: boolean;
}

const GITIGNORE = '# Optimizer Lab\'s saved runs: kept out of version control (delete this file to commit them).\n*\n';

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export class RunStore {
  private readonly entries = new Map<string, StoredRun>();
  /** The last start time given (startTime()), in ms. */
  private lastStartMs = -Infinity;
  private readonly chains = new Map<string, Promise<void>>();
  private readonly queued = new Map<string, string[]>();
  private readonly listeners = new Set<() => void>();
  private dirReady?: Promise<void>;

  constructor(private readonly options: RunStoreOptions) {}

  get dir(): string {
    return this.options.dir;
  }

  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Reads the folder's headers; a run left streaming by an earlier session is finalised as interrupted. */
  async load(): Promise<void> {
    for (const entry of await listRunFiles(this.options.dir, this.options.warn)) {
      if (this.entries.has(entry.header.runId)) continue;
      const stored: StoredRun = { header: entry.header, path: entry.path, bytes: entry.bytes, live: false };
      this.entries.set(entry.header.runId, stored);
      if (entry.header.state === 'streaming') await this.recover(stored);
    }
    this.changed();
  }

  /** Saved runs, newest first. */
  list(): StoredRun[] {
    return [...this.entries.values()].sort((a, b) => b.header.startedAt.localeCompare(a.header.startedAt));
  }

  get(runId: string): StoredRun | undefined {
    return this.entries.get(runId);
  }

  /**
   * A new run's start time, strictly after the previous run's in this store: runs started in one batch often
   * share a millisecond, and list() orders by start time, so without this their order after a reload was the
   * folder listing's.
   */
  private startTime(): Date {
    const now = (this.options.now ?? (() => new Date()))().getTime();
    this.lastStartMs = Math.max(now, this.lastStartMs + 1);
    return new Date(this.lastStartMs);
  }

  /**
   * A run started: its file is created with the header (and `.gitignore` beside it on first use).
   * `ruleText`: the optimizer rule's source (read before the header is written), hashed into the header.
   */
  begin(runId: string, request: SavedRequest, ruleText?: string | Promise<string | undefined>): void {
    const header = newHeader(runId, request, this.startTime());
    const stored: StoredRun = { header, path: path.join(this.options.dir, `${safeName(runId)}${RUN_FILE_EXTENSION}`), bytes: 0, live: true };
    this.entries.set(runId, stored);
    this.chain(runId, async () => {
      const text = await ruleText;
      if (text !== undefined) stored.header = { ...stored.header, ruleHash: sha256(text) };
      const line = headerLine(stored.header);
      stored.bytes += Buffer.byteLength(line);
      await this.ensureDir();
      await fs.writeFile(stored.path, line);
    });
    this.changed();
  }

  /** One streamed event, appended (lines of one run are written together when several wait). */
  append(runId: string, event: DashboardEvent): void {
    const stored = this.entries.get(runId);
    if (!stored?.live) return;
    const line = eventLine(event);
    stored.bytes += Buffer.byteLength(line);
    const waiting = this.queued.get(runId);
    if (waiting) {
      waiting.push(line);
      return;
    }
    this.queued.set(runId, [line]);
    this.chain(runId, async () => {
      const lines = this.queued.get(runId) ?? [];
      this.queued.delete(runId);
      await fs.appendFile(stored.path, lines.join(''));
    });
  }

  /** The run ended: its file becomes the compact final form, then the size cap is applied (the ids it removed). */
  async finish(runId: string, run: RunSnapshot): Promise<string[]> {
    const stored = this.entries.get(runId);
    if (!stored?.live) return [];
    await this.chain(runId, async () => {
      // Made when the earlier writes are done: the header may have changed since (its rule hash, a pin).
      const text = finalText(stored.header, run, this.options.maxStepRecords ?? DEFAULT_MAX_STEP_RECORDS);
      await writeFileWhole(stored.path, text);
      stored.header = JSON.parse(text.slice(0, text.indexOf('\n'))) as SavedRunHeader;
      stored.bytes = Buffer.byteLength(text);
      stored.live = false;
    });
    this.changed();
    return this.cleanUp();
  }

  /** The run's snapshot from its file (undefined when it cannot be read: warned). */
  async read(runId: string): Promise<RunSnapshot | undefined> {
    const stored = this.entries.get(runId);
    if (!stored) return undefined;
    await this.chains.get(runId);
    try {
      const parsed = await readRunFile(stored.path);
      for (const w of parsed.warnings) this.options.warn(w);
      return parsed.run;
    } catch (e) {
      this.options.warn(`saved run ${runId} could not be read: ${(e as Error).message}`);
      return undefined;
    }
  }

  setPinned(runId: string, pinned: boolean): Promise<void> {
    return this.updateHeader(runId, (h) => ({ ...h, pinned: pinned || undefined }));
  }

  rename(runId: string, label: string): Promise<void> {
    const trimmed = label.trim();
    return this.updateHeader(runId, (h) => ({ ...h, label: trimmed === '' ? undefined : trimmed }));
  }

  /** Removes the run's file (the user's Delete). */
  async delete(runId: string): Promise<void> {
    const stored = this.entries.get(runId);
    if (!stored) return;
    this.entries.delete(runId);
    await this.chain(runId, () => fs.rm(stored.path, { force: true }));
    this.chains.delete(runId);
    this.changed();
  }

  /** Oldest-first removal of unpinned, finished runs while the folder is over the cap; returns the removed ids. */
  async cleanUp(): Promise<string[]> {
    const cap = this.options.maxBytes();
    if (!(cap > 0)) return [];
    let total = [...this.entries.values()].reduce((n, e) => n + e.bytes, 0);
    const removed: string[] = [];
    for (const entry of this.list().reverse()) {
      if (total <= cap) break;
      if (entry.header.pinned || entry.live) continue;
      total -= entry.bytes;
      removed.push(entry.header.runId);
      await this.delete(entry.header.runId);
    }
    return removed;
  }

  /** Resolves when every write asked for so far is done. */
  async flushed(): Promise<void> {
    await Promise.all([...this.chains.values()]);
  }

  private async updateHeader(runId: string, change: (h: SavedRunHeader) => SavedRunHeader): Promise<void> {
    const stored = this.entries.get(runId);
    if (!stored) return;
    stored.header = withoutUndefined(change(stored.header));
    this.changed();
    // A live run's header is written whole when it finishes; a finished file gets its first line replaced.
    if (stored.live) return;
    await this.chain(runId, async () => {
      const text = await fs.readFile(stored.path, 'utf8');
      const rest = text.slice(text.indexOf('\n') + 1);
      const next = `${headerLine(stored.header)}${rest}`;
      await writeFileWhole(stored.path, next);
      stored.bytes = Buffer.byteLength(next);
    });
  }

  private async recover(stored: StoredRun): Promise<void> {
    try {
      const parsed = await readRunFile(stored.path);
      for (const w of parsed.warnings) this.options.warn(w);
      const text = finalText(parsed.header, interruptedRun(parsed.run), this.options.maxStepRecords ?? DEFAULT_MAX_STEP_RECORDS);
      await writeFileWhole(stored.path, text);
      stored.header = JSON.parse(text.slice(0, text.indexOf('\n'))) as SavedRunHeader;
      stored.bytes = Buffer.byteLength(text);
    } catch (e) {
      this.options.warn(`saved run ${stored.header.runId} was interrupted and could not be recovered: ${(e as Error).message}`);
    }
  }

  private ensureDir(): Promise<void> {
    this.dirReady ??= (async () => {
      await fs.mkdir(this.options.dir, { recursive: true });
      await fs.writeFile(path.join(this.options.dir, '.gitignore'), GITIGNORE, { flag: 'wx' }).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'EEXIST') throw e;
      });
    })();
    return this.dirReady;
  }

  private chain(runId: string, work: () => Promise<void>): Promise<void> {
    const next = (this.chains.get(runId) ?? Promise.resolve()).then(work).catch((e: Error) => {
      this.options.warn(`saving run ${runId} failed: ${e.message}`);
    });
    this.chains.set(runId, next);
    return next;
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }
}

/** A run id as a file name (ids are ours, but a file name must never leave the folder). */
function safeName(runId: string): string {
  return runId.replace(/[^A-Za-z0-9._-]/g, '_');
}

function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
