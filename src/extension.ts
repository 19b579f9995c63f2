/**
 * Wires the extension's services; every disposable is registered on the
 * context, the runner process included. No TensorFlow.js here: the runner
 * child process loads it on the first run.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { RunnerClient } from './runner/client';
import { LandscapeAsks } from './host/landscapeAsks';
import type { LandscapeAsk } from './protocol/landscapeViews';
import { COMMANDS } from './host/commandIds';
import { handleDashboardMessage, registerCommands, type CommandContext } from './host/commands';
import { DASHBOARD_VIEW_TYPE, DashboardPanel, type DashboardHost } from './host/dashboardPanel';
import type { RunSnapshot } from './protocol/webview';
import { BuiltInOptimizers, readCatalogFile } from './host/builtInOptimizers';
import { LazyRunner } from './host/lazyRunner';
import { LiveMode } from './host/liveMode';
import { ObjectiveLensProvider } from './host/objectiveLenses';
import { registerRuleCommands } from './host/ruleCommands';
import { RuleLensProvider } from './host/ruleLenses';
import { RunController } from './host/runController';
import { RunProblems } from './host/runProblems';
import { defaultOptimizerProblem, defaultRuleProblem, readRunSettings, type RunSettings } from './host/runSettings';
import { RunStatusBar } from './host/runStatusBar';
import { openSweepResults } from './host/sweepResults';
import { isSweepAsk, registerSweepCommands, sweepFromDashboard } from './host/sweepCommands';
import { openReplayRecord } from './host/replayRecordCommand';
import { findLrFromDashboard, registerLrFinder, useLr, type LrFinderContext } from './host/lrFinderCommand';
import { newRunMode, registerRunHistory } from './host/runHistory/registerRunHistory';
import { TypesQuickFix } from './host/typesSetup';
import { SourceIndex, workerParser } from './host/discovery/sourceIndex';
import { WorkspaceCatalog, tryTarget } from './host/workspaceCatalog';
import { WorkspaceScanner } from './host/workspaceScanner';

/** What activation returns: the integration tests drive the extension through it. */
export interface OptimizerLabApi {
  readonly controller: RunController;
  readonly problems: RunProblems;
  readonly live: LiveMode;
}

/** A rule file named in the settings (`FILE#NAME`), relative to the first workspace folder unless absolute. */
function inWorkspace(file: string): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  return path.isAbsolute(file) || !folder ? file : vscode.Uri.joinPath(folder.uri, file).fsPath;
}

/** The optimizerLab.* settings, the default optimizer checked against the catalogue (once it is read). */
function currentSettings(optimizers: BuiltInOptimizers): RunSettings {
  const config = vscode.workspace.getConfiguration('optimizerLab');
  return readRunSettings((key) => config.get(key), optimizers.all.map((o) => o.id), inWorkspace);
}

/** A default optimizer that is neither a built-in nor a rule is named in a warning, when the catalogue is read and after each change. */
function checkDefaultOptimizer(optimizers: BuiltInOptimizers): void {
  const config = vscode.workspace.getConfiguration('optimizerLab');
  const chosen = config.get<string>('defaultOptimizer');
  const rule = config.get<string>('defaultOptimizerRule');
  const problems = [
    typeof chosen === 'string' ? defaultOptimizerProblem(chosen.trim(), optimizers.all.map((o) => o.id)) : undefined,
    typeof rule === 'string' ? defaultRuleProblem(rule.trim()) : undefined,
  ];
  for (const problem of problems) if (problem) void vscode.window.showWarningMessage(problem);
}

/** The runner process, started on the first run (activation loads no TensorFlow.js). */
function lazyRunner(context: vscode.ExtensionContext, output: vscode.LogOutputChannel, log: (message: string) => void): LazyRunner {
  return new LazyRunner(() => new RunnerClient({
    runnerPath: vscode.Uri.joinPath(context.extensionUri, 'dist', 'runner.js').fsPath,
    onOutput: (stream, text) => output.append(stream === 'stderr' ? `[runner stderr] ${text}` : text),
    // The .vsix ships no tfjs-node: one installed in the workspace is used when present.
    modulePaths: (vscode.workspace.workspaceFolders ?? []).map((f) => vscode.Uri.joinPath(f.uri, 'node_modules').fsPath),
  }), log);
}

/** What the dashboard panel asks the extension for: the snapshot, its messages, zoomed contours and path slices. */
function dashboardHostOf(ctx: CommandContext, runner: LazyRunner, lrFinder: LrFinderContext): DashboardHost {
  const { controller, log } = ctx;
  // Zoomed contours and path slices: the runner answers, only the latest of each kind is drawn.
  const landscapeAsks = new LandscapeAsks({
    runner, post: (m) => DashboardPanel.post(m),
    run: (runId) => {
      const snapshot = controller.state.run(runId);
      const text = controller.state.origin(runId)?.target.text;
      return snapshot ? { snapshot, ...(text !== undefined ? { text } : {}) } : undefined;
    },
  });
  return {
    snapshot: () => controller.snapshot(),
    handle: (m) =>
      void (m.type === 'useLr' ? useLr(lrFinder, m) : m.type === 'findLr' ? findLrFromDashboard(lrFinder, controller.state.target, m)
        : isSweepAsk(m) ? sweepFromDashboard({ ...ctx, hasRule: (file, name) => ctx.catalog.hasRule(file, name) }, controller.state.target, m) : handleDashboardMessage(ctx, m))
        .catch((e: Error) => log(`dashboard request failed: ${e.message}`)),
    log,
    landscape: (ask: LandscapeAsk) => void landscapeAsks.handle(ask).catch((e: Error) => log(`landscape request failed: ${e.message}`)),
  };
}

/** The workspace's rules and schedule functions, for the dashboard's menus (files named relative to the workspace). */
function sendCatalog(catalog: WorkspaceCatalog, controller: RunController): void {
  controller.setRules(catalog.ruleOptions((file) => vscode.workspace.asRelativePath(file)));
  controller.setSchedules(catalog.scheduleOptions((file) => vscode.workspace.asRelativePath(file)));
}

/** A new default optimizer changes the lenses (and is checked); a new debounce applies to live mode. */
function settingsChanged(e: vscode.ConfigurationChangeEvent, optimizers: BuiltInOptimizers, refreshLenses: () => void, live: LiveMode): void {
  if (e.affectsConfiguration('optimizerLab.defaultOptimizer') || e.affectsConfiguration('optimizerLab.defaultOptimizerRule')) {
    checkDefaultOptimizer(optimizers);
    refreshLenses();
  }
  if (e.affectsConfiguration('optimizerLab.liveDebounceMs')) live.refreshDelay();
}

/** The output channel's line for a run that ended. */
function runEndLine(run: RunSnapshot): string {
  const outcome = run.error ? `error (${run.error.kind}) ${run.error.message}` : `${run.done?.status}, final loss ${run.done?.final.loss}`;
  return `${run.runId} ${run.meta?.objective ?? ''} ${run.meta?.optimizer.id ?? ''}: ${outcome}`;
}

/** The dashboard hears of every run; the status bar, the lenses, the log and Problems of their ends. */
function listenToRuns(
  controller: RunController, on: { statusBar: RunStatusBar; problems: RunProblems; refreshLenses(): void; log(message: string): void },
): vscode.Disposable {
  return controller.listen({
    post: (m) => DashboardPanel.post(m),
    runChanged: (run) => {
      on.statusBar.update(run);
      if (run.done || run.error) {
        on.refreshLenses();
        on.log(runEndLine(run));
      }
    },
    problems: (file, errors) => void on.problems.show(file, errors),
  });
}

/** Commands that open results made elsewhere: sweep files, tuned comparisons, shared replay records. */
function registerResultCommands(ctx: CommandContext): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(COMMANDS.openSweepResults, () => openSweepResults(ctx.showDashboard, ctx.log)),
    vscode.commands.registerCommand(COMMANDS.openReplayRecord, (text?: unknown) => openReplayRecord(ctx, typeof text === 'string' ? text : undefined)),
  ];
}

export function activate(context: vscode.ExtensionContext): OptimizerLabApi {
  const output = vscode.window.createOutputChannel('Optimizer Lab', { log: true });
  const log = (message: string): void => output.info(message);
  const optimizers = new BuiltInOptimizers(() => readCatalogFile(vscode.Uri.joinPath(context.extensionUri, 'dist', 'optimizers.json').fsPath), log);
  const settings = (): RunSettings => currentSettings(optimizers);
  const runner = lazyRunner(context, output, log);
  const controller = new RunController(runner, settings, (file) => vscode.workspace.asRelativePath(file));
  void optimizers.loaded.then((list) => {
    controller.setOptimizers(list);
    checkDefaultOptimizer(optimizers);
    lenses.refresh();
  });
  const problems = new RunProblems();
  const statusBar = new RunStatusBar();
  // Objectives, rules and schedules are found by TypeScript's parser, in a worker thread (it is large to load).
  const sourceIndex = new SourceIndex(workerParser(vscode.Uri.joinPath(context.extensionUri, 'dist', 'discoveryWorker.js').fsPath));
  const sites = (text: string) => sourceIndex.sites(text);
  const lenses = new ObjectiveLensProvider({
    sites,
    defaultOptimizer: () => settings().defaultOptimizer,
    lastRuns: (file, objective) => controller.lastBatch(file, objective),
  });
  // Optimizer rules: found in the workspace's files, tried on the objective run last (else the first one found).
  const catalog = new WorkspaceCatalog(sites);
  const tryOn = () => tryTarget(catalog, controller.state.target);
  const ruleLenses = new RuleLensProvider({ sites, target: tryOn, lastRun: (file, rule) => controller.lastRuleRun(file, rule) });
  const refreshLenses = (): void => {
    lenses.refresh();
    ruleLenses.refresh();
  };
  const live = new LiveMode(controller, () => settings().liveDebounceMs, log, sites, tryOn);
  const ctx: CommandContext = {
    extensionUri: context.extensionUri, controller, live, settings, log,
    showDashboard: () => DashboardPanel.createOrShow(context.extensionUri, dashboardHost),
    refreshLenses, catalog, tryOn, optimizers, sites,
    newRun: () => newRunMode(vscode.workspace.getConfiguration('optimizerLab').get('newRun')),
  };
  const runHistory = registerRunHistory(context, controller, ctx, log);
  const lrFinder: LrFinderContext = {
    runner, settings, sites, showDashboard: ctx.showDashboard, log, problems: (file, errors) => void problems.show(file, errors), hasRule: (file, name) => catalog.hasRule(file, name),
  };
  const dashboardHost = dashboardHostOf(ctx, runner, lrFinder);

  const selector: vscode.DocumentSelector = [{ language: 'typescript', scheme: 'file' }, { language: 'typescript', scheme: 'untitled' }];
  context.subscriptions.push(
    output, sourceIndex, runner, controller, problems, statusBar, lenses, ruleLenses, live,
    catalog.onDidChange(() => {
      ruleLenses.refresh();
      sendCatalog(catalog, controller);
    }),
    new WorkspaceScanner(catalog, log),
    { dispose: () => DashboardPanel.dispose() },
    listenToRuns(controller, { statusBar, problems, refreshLenses, log }),
    vscode.languages.registerCodeLensProvider(selector, lenses),
    vscode.languages.registerCodeLensProvider(selector, ruleLenses),
    vscode.languages.registerCodeActionsProvider(selector, new TypesQuickFix(), { providedCodeActionKinds: TypesQuickFix.kinds }),
    vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel) => DashboardPanel.revive(panel, context.extensionUri, dashboardHost),
    }),
    vscode.workspace.onDidChangeConfiguration((e) => settingsChanged(e, optimizers, refreshLenses, live)),
    vscode.workspace.onDidGrantWorkspaceTrust(() => refreshLenses()),
    ...registerCommands(ctx),
    ...registerResultCommands(ctx),
    ...registerSweepCommands(ctx),
    ...registerLrFinder(lrFinder),
    ...registerRuleCommands(ctx),
    ...runHistory.disposables,
  );
  void vscode.commands.executeCommand('setContext', 'optimizerLab.activated', true);
  log(`activated (commands: ${Object.values(COMMANDS).length})`);
  return { controller, problems, live };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
