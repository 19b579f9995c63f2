/**
 * The Sweep card's "Open as run": the chosen run of the shown sweep started as a normal run (the same controller
 * path as the dashboard's Run, replacing the runs shown), so it gets every chart. The settings come from the sweep
 * the host showed (src/host/sweepTrialRun.ts); the page only names the run's index.
 */
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { DashboardPanel } from './dashboardPanel';
import type { RunController } from './runController';
import { sweepTrialRun } from './sweepTrialRun';
import type { WorkspaceCatalog } from './workspaceCatalog';

export interface SweepTrialContext {
  readonly controller: RunController;
  readonly catalog: WorkspaceCatalog;
  readonly log: (message: string) => void;
}

function refuse(ctx: SweepTrialContext, why: string): void {
  ctx.log(`sweep run not opened: ${why}`);
  void vscode.window.showErrorMessage(`Optimizer Lab: cannot open the sweep's run: ${why}`);
}

/** Starts run `index` of the shown sweep; the caller has checked workspace trust. */
export function openSweepTrial(ctx: SweepTrialContext, index: number): void {
  const shown = DashboardPanel.shownSweep;
  if (!shown) return;
  const trial = sweepTrialRun(shown.result, index);
  if (!trial.ok) return refuse(ctx, trial.error);
  const { target, choice } = trial;
  if (!fs.existsSync(target.file)) return refuse(ctx, `${target.file}: no such file (the sweep's objective file)`);
  // As for the dashboard's Run: only rules the workspace scan found run.
  if (choice.rule && !ctx.catalog.hasRule(choice.rule.file, choice.optimizer ?? '')) {
    return refuse(ctx, `rule '${choice.optimizer}' in ${choice.rule.file} is not one the workspace exports`);
  }
  const open = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === target.file);
  ctx.controller.start({ ...target, ...(open ? { text: open.getText() } : {}) }, [choice], 'replace');
}
