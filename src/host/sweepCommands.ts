/**
 * The sweep commands' wiring (kept out of commands.ts and extension.ts): the palette's Run sweep… and Compare
 * optimizers (tuned)…, and the dashboard's buttons for both (src/protocol/sweepAsks.ts).
 */
import * as vscode from 'vscode';
import type { RunSweepAsk, TunedCompareAsk } from '../protocol/sweepAsks';
import type { WebviewToHost } from '../protocol/webview';
import { COMMANDS } from './commandIds';
import { runSweepCommand, runSweepFromDashboard, type SweepRunContext } from './sweepRunCommand';
import { tunedCompare, tunedCompareFromDashboard } from './tunedCompareCommand';

export function registerSweepCommands(ctx: SweepRunContext): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(COMMANDS.tunedCompare, () => tunedCompare(ctx)),
    vscode.commands.registerCommand(COMMANDS.runSweep, (uri?: unknown, name?: unknown) =>
      runSweepCommand(ctx, uri instanceof vscode.Uri ? uri : undefined, typeof name === 'string' ? name : undefined)),
  ];
}

export function isSweepAsk(m: WebviewToHost): m is TunedCompareAsk | RunSweepAsk {
  return m.type === 'tunedCompare' || m.type === 'runSweep';
}

/** A dashboard button's ask, on the dashboard's objective (its runs' target). */
export function sweepFromDashboard(ctx: SweepRunContext, target: { file: string; objective?: string } | undefined, ask: TunedCompareAsk | RunSweepAsk): Promise<boolean> {
  return ask.type === 'tunedCompare' ? tunedCompareFromDashboard(ctx, target, ask) : runSweepFromDashboard(ctx, target, ask);
}
