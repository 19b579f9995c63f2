/**
 * Live mode: while it is on for a file, every edit (unsaved text, debounced)
 * re-runs the dashboard's runs of that file on the new code; an edit of the
 * optimizer rule file those runs use re-runs them too (liveTriggers.ts).
 */
import * as vscode from 'vscode';
import { liveFallback, liveTrigger } from './liveTriggers';
import { LiveScheduler, type Cancellable } from './liveScheduler';
import type { SourceSites } from './discovery/sites';
import type { RunController } from './runController';
import type { ObjectiveRef } from './workspaceCatalog';

export class LiveMode implements vscode.Disposable {
  private readonly schedulers = new Map<string, LiveScheduler<string>>();
  /** Debouncers of rule files edited while a live objective's runs use them (not live themselves). */
  private readonly followers = new Map<string, LiveScheduler<string>>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly controller: RunController,
    private readonly debounceMs: () => number,
    private readonly log: (message: string) => void,
    /** A text's objectives and rules (the discovery worker's SourceIndex). */
    private readonly sitesOf: (text: string) => Promise<SourceSites>,
    /** The objective a live rule file with no runs yet is tried on. */
    private readonly tryOn: () => ObjectiveRef | undefined = () => undefined,
  ) {
    this.disposables.push(
      this.changed,
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0) this.edited(e.document.uri.fsPath, e.document.getText());
      }),
      vscode.workspace.onDidCloseTextDocument((d) => {
        this.followers.get(d.uri.fsPath)?.dispose();
        this.followers.delete(d.uri.fsPath);
        this.set(d.uri.fsPath, false);
      }),
    );
  }

  private edited(file: string, text: string): void {
    const own = this.schedulers.get(file);
    if (own) {
      own.push(text);
      return;
    }
    if (this.schedulers.size === 0 || !liveTrigger(file, new Set(this.schedulers.keys()), this.controller.state.currentOrigins())) return;
    let follower = this.followers.get(file);
    if (!follower) {
      follower = new LiveScheduler<string>((t) => this.rerun(file, t), this.debounceMs());
      this.followers.set(file, follower);
    }
    follower.push(text);
  }

  isLive(file: string): boolean {
    return this.schedulers.has(file);
  }

  /** Turns live mode on or off for a file; turning it on runs the current text at once. */
  set(file: string, on: boolean, text?: string): void {
    const existing = this.schedulers.get(file);
    if (!on) {
      if (!existing) return;
      existing.dispose();
      this.schedulers.delete(file);
      this.log(`live mode off: ${file}`);
      this.changed.fire();
      return;
    }
    if (!existing) {
      const scheduler = new LiveScheduler<string>((t) => this.rerun(file, t), this.debounceMs());
      this.schedulers.set(file, scheduler);
      this.log(`live mode on: ${file} (debounce ${this.debounceMs()} ms)`);
      this.changed.fire();
    }
    if (text !== undefined) {
      const scheduler = this.schedulers.get(file) as LiveScheduler<string>;
      scheduler.push(text);
      scheduler.flush();
    }
  }

  /** Applies a changed debounce setting. */
  refreshDelay(): void {
    for (const s of [...this.schedulers.values(), ...this.followers.values()]) s.setDelay(this.debounceMs());
  }

  get files(): string[] {
    return [...this.schedulers.keys()];
  }

  /** Re-runs once the edited text's objectives and rules are known (a parse in the discovery worker). */
  private rerun(file: string, text: string): Cancellable {
    let cancelled = false;
    let started: Cancellable | undefined;
    const done = this.sitesOf(text).then((sites) => {
      if (cancelled) return undefined;
      const fallback = liveFallback(file, text, sites, () => {
        const on = this.tryOn();
        // The objective's unsaved text when it is open, as every run sees what the user sees.
        const open = on && vscode.workspace.textDocuments.find((d) => d.uri.fsPath === on.file);
        return on && { ...on, ...(open ? { text: open.getText() } : {}) };
      });
      this.log(`live re-run of ${file}`);
      started = this.controller.rerun(fallback.edit, fallback.choice, fallback.target);
      return started.done;
    }, (e: Error) => this.log(`live re-run of ${file} skipped: ${e.message}`));
    return {
      cancel: () => {
        cancelled = true;
        started?.cancel();
      },
      done,
    };
  }

  dispose(): void {
    for (const s of [...this.schedulers.values(), ...this.followers.values()]) s.dispose();
    this.schedulers.clear();
    this.followers.clear();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
