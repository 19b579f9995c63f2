/**
 * "Optimizer Lab: Find learning rate" (palette) and the objective's "Find lr" lens: the lr range test on
 * an objective with the settings' optimizer, streamed into the dashboard's LR finder card with a
 * cancellable progress notification; its errors name the user's file:line (message, Problems panel).
 * "Use this lr" in the card sets optimizerLab.learningRate, the lr the default optimizer's runs use.
 */
import * as vscode from 'vscode';
import type { FindLrAsk, LrFinderView, UseLr } from '../protocol/lrFinder';
import type { RunError } from '../protocol/runner';
import { COMMANDS } from './commandIds';
import { documentOf, requireTrust, targetOf } from './commands';
import { DashboardPanel } from './dashboardPanel';
import type { SourceSites } from './discovery/sites';
import { formatNumber } from './lensTitles';
import { errorText, LrFinderSession } from './lrFinderSession';
import type { RunnerPort } from './runController';
import type { RunSettings } from './runSettings';

export interface LrFinderContext {
  readonly runner: RunnerPort;
  readonly settings: () => RunSettings;
  readonly showDashboard: () => void;
  readonly log: (message: string) => void;
  readonly problems: (file: string, errors: readonly RunError[]) => void;
  /** What a file exports, from TypeScript's parser (src/host/discovery/). */
  readonly sites: (text: string) => Promise<SourceSites>;
  /** Whether the workspace scan found rule `name` in `file` (the dashboard names a file; only those run). */
  readonly hasRule?: (file: string, name: string) => boolean;
}

type OptimizerAsked = FindLrAsk['optimizer'];

/** The settings with `optimizer` as their default (the session tests the settings' optimizer); the lr is the test's own. */
function settingsFor(settings: RunSettings, optimizer: OptimizerAsked | undefined): RunSettings {
  if (!optimizer) return settings;
  const { defaultRule: _setting, ...rest } = settings;
  return { ...rest, defaultOptimizer: optimizer.id, learningRate: null, ...(optimizer.rule ? { defaultRule: { file: optimizer.rule.file, name: optimizer.id } } : {}) };
}

const optimizerName = (settings: RunSettings): string => settings.defaultRule?.name ?? settings.defaultOptimizer;

/** The objective to test: the lens's, else the active file's only one, else the user's pick among its objectives. */
async function objectiveOf(ctx: LrFinderContext, document: vscode.TextDocument, name?: string): Promise<string | undefined> {
  if (name) return name;
  const names = (await ctx.sites(document.getText())).objectives.filter((s) => s.exported && !s.problem).map((s) => s.name);
  if (names.length <= 1) return names[0];
  return vscode.window.showQuickPick(names, { title: 'Objective for the lr range test' });
}

let running: LrFinderSession | undefined;

/**
 * Runs the test on `name` in `uri` (the active editor's file when absent) with `optimizer` (the settings' when absent);
 * resolves with the card's last view.
 */
export async function findLr(ctx: LrFinderContext, uri?: vscode.Uri, name?: string, optimizer?: OptimizerAsked): Promise<LrFinderView | undefined> {
  if (!requireTrust()) return undefined;
  const document = await documentOf(uri);
  const objective = document ? await objectiveOf(ctx, document, name) : undefined;
  if (!document || !objective) {
    void vscode.window.showInformationMessage('Optimizer Lab: open an objective file (an exported function with an `init` property) to find its learning rate.');
    return undefined;
  }
  running?.cancel();
  const relative = (file: string): string => vscode.workspace.asRelativePath(file);
  const settings = settingsFor(ctx.settings(), optimizer);
  const session = new LrFinderSession(ctx.runner, settings, { ...targetOf(document, objective), objective }, relative);
  // "Use this lr" sets optimizerLab.learningRate only for the settings' own optimizer.
  const isDefault = !optimizer || (optimizerName(settings) === optimizerName(ctx.settings()) && !optimizer.rule === !ctx.settings().defaultRule);
  running = session;
  ctx.showDashboard();
  const outcome = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Optimizer Lab: finding the lr of ${objective}`, cancellable: true },
    async (progress, token) => {
      token.onCancellationRequested(() => session.cancel());
      let reported = 0;
      return session.run({
        view: (view) => DashboardPanel.showLrFinder({ ...view, optimizer: { ...view.optimizer, isDefault } }),
        progress: (done, total) => {
          const percent = (100 * done) / total;
          progress.report({ increment: percent - reported, message: `${done} of at most ${total} steps` });
          reported = percent;
        },
      });
    },
  );
  if (running === session) running = undefined;
  if (outcome.error) {
    const where = outcome.error.file ?? document.uri.fsPath;
    ctx.problems(where, [outcome.error]);
    void vscode.window.showErrorMessage(`Optimizer Lab: the lr range test failed: ${errorText(outcome.error, relative)}`);
  } else ctx.problems(document.uri.fsPath, []);
  const s = outcome.view.suggestions;
  ctx.log(`lr finder ${objective}: ${outcome.view.status}, ${outcome.view.points.length} points, steepest ${s?.steepest ?? '-'}, minimum/10 ${s?.minimumOverTen ?? '-'}`);
  return outcome.view;
}

/** "Find lr" beside the dashboard's Run: the dashboard's objective (its runs' target) with the menu's optimizer. */
export async function findLrFromDashboard(ctx: LrFinderContext, target: { file: string; objective?: string } | undefined, ask: FindLrAsk): Promise<void> {
  const rule = ask.optimizer.rule;
  if (rule && !ctx.hasRule?.(rule.file, ask.optimizer.id)) {
    ctx.log(`dashboard asked for the lr of rule '${ask.optimizer.id}' in ${rule.file}, which the workspace does not export`);
    return;
  }
  if (!target) {
    void vscode.window.showInformationMessage('Optimizer Lab: run an objective first (its lens or the palette); Find lr then tests it with the dashboard\'s optimizer.');
    return;
  }
  await findLr(ctx, vscode.Uri.file(target.file), target.objective, ask.optimizer);
}

/** "Use this lr": the setting follows when the test ran the settings' optimizer (the lr belongs to it). */
export async function useLr(ctx: LrFinderContext, message: UseLr): Promise<void> {
  const settings = ctx.settings();
  const optimizer = settings.defaultRule?.name ?? settings.defaultOptimizer;
  if (message.optimizer !== optimizer) {
    ctx.log(`lr ${message.lr} for ${message.optimizer} set in the dashboard only (optimizerLab.learningRate belongs to ${optimizer})`);
    return;
  }
  const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await vscode.workspace.getConfiguration('optimizerLab').update('learningRate', message.lr, target);
  void vscode.window.showInformationMessage(`Optimizer Lab: learning rate ${formatNumber(message.lr)} for ${optimizer} (optimizerLab.learningRate).`);
}

export function registerLrFinder(ctx: LrFinderContext): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(COMMANDS.findLr, (uri?: vscode.Uri, name?: string) => findLr(ctx, uri instanceof vscode.Uri ? uri : undefined, typeof name === 'string' ? name : undefined)),
    { dispose: () => running?.cancel() },
  ];
}
