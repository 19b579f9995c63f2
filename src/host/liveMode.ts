/**
 * Live mode: while it is on for a file, every edit (unsaved text, debounced)
 * re-runs the dashboard's runs of that file on the new code.
 */
import * as vscode from 'vscode';
import { findObjectives } from './findObjectives';
import { LiveScheduler, type Cancellable } from './liveScheduler';
import type { RunController } from './runController';

export class LiveMode implements vscode.Disposable {
  private readonly schedulers = new Map<string, LiveScheduler<string>>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly controller: RunController,
    private readonly debounceMs: () => number,
    private readonly log: (message: string) => void,
  ) {
    this.disposables.push(
      this.changed,
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0) this.schedulers.get(e.document.uri.fsPath)?.push(e.document.getText());
      }),
      vscode.workspace.onDidCloseTextDocument((d) => this.set(d.uri.fsPath, false)),
    );
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
    for (const s of this.schedulers.values()) s.setDelay(this.debounceMs());
  }

  get files(): string[] {
    return [...this.schedulers.keys()];
  }

  private rerun(file: string, text: string): Cancellable {
    const first = findObjectives(text).find((s) => s.exported);
    this.log(`live re-run of ${file}`);
    return this.controller.rerun({ file, text, ...(first ? { objective: first.name } : {}) }, {});
  }

  dispose(): void {
    for (const s of this.schedulers.values()) s.dispose();
    this.schedulers.clear();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
