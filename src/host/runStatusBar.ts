/** Status bar item while runs are going: objective, step/total and loss; click to stop. */
import * as vscode from 'vscode';
import type { RunSnapshot } from '../protocol/webview';
import { COMMANDS } from './commandIds';
import { summarizeRun } from './lensTitles';
import { statusText } from './statusText';

export class RunStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('optimizerLab.run', vscode.StatusBarAlignment.Left, 50);
  private hideTimer?: NodeJS.Timeout;

  constructor() {
    this.item.name = 'Optimizer Lab run';
  }

  update(run: RunSnapshot): void {
    clearTimeout(this.hideTimer);
    const finished = run.done !== undefined || run.error !== undefined;
    if (finished) {
      this.item.text = `$(graph-line) ${run.meta?.objective ?? 'run'}: ${summarizeRun(run) ?? 'finished'}`;
      this.item.tooltip = 'Optimizer Lab: open the dashboard';
      this.item.command = COMMANDS.openDashboard;
      this.hideTimer = setTimeout(() => this.item.hide(), 15_000);
    } else {
      this.item.text = statusText(run, run.meta?.steps ?? 0);
      this.item.tooltip = 'Optimizer Lab: click to stop';
      this.item.command = COMMANDS.stop;
    }
    this.item.show();
  }

  dispose(): void {
    clearTimeout(this.hideTimer);
    this.item.dispose();
  }
}
