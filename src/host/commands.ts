/**
 * The palette commands and the lens commands. Each checks Workspace Trust
 * first: objective code is never executed in an untrusted workspace.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { OptimizerInfo } from '../protocol/runner';
import type { RunSnapshot, ScheduleOption, WebviewToHost } from '../protocol/webview';
import type { BuiltInOptimizers } from './builtInOptimizers';
import { COMMANDS } from './commandIds';
import { exportRun } from './exportRun';
import type { SourceSites } from './discovery/sites';
import { formatNumber } from './lensTitles';
import type { LiveMode } from './liveMode';
import { objectiveTemplate } from './objectiveTemplate';
import type { RunController } from './runController';
import { scheduleFileOf, type RunChoice, type RunSettings, type RunTarget } from './runSettings';
import { openSweepTrial } from './sweepTrialCommand';
import { setUpTypes } from './typesSetup';
import type { ObjectiveRef, WorkspaceCatalog } from './workspaceCatalog';

export interface CommandContext {
  readonly extensionUri: vscode.Uri;
  readonly controller: RunController;
  readonly live: LiveMode;
  readonly settings: () => RunSettings;
  readonly log: (message: string) => void;
  readonly showDashboard: () => void;
  readonly refreshLenses: () => void;
  /** The workspace's objectives and optimizer rules (scanned statically). */
  readonly catalog: WorkspaceCatalog;
  /** The built-in optimizers (dist/optimizers.json, derived from the registry at build). */
  readonly optimizers: BuiltInOptimizers;
  /** The objective a rule's "▶ Try on …" runs on. */
  readonly tryOn: () => ObjectiveRef | undefined;
  /** A text's objectives, rules and schedules (the discovery worker's SourceIndex). */
  readonly sites: (text: string) => Promise<SourceSites>;
  /** What a Run or Compare from a lens or the palette does to the drawn runs (optimizerLab.newRun). */
  readonly newRun: () => 'add' | 'replace';
}

const TRUST_MESSAGE = 'Optimizer Lab runs the code in your objective files, so it only runs in a trusted workspace.';

/** True when trusted; otherwise explains why nothing runs and offers to manage trust. */
export function requireTrust(): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window.showWarningMessage(TRUST_MESSAGE, 'Manage Workspace Trust').then((choice) => {
    if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
  });
  return false;
}

/** The document's target: its file and unsaved text, so a run sees what the user sees. */
export function targetOf(document: vscode.TextDocument, objective?: string): RunTarget {
  return { file: document.uri.fsPath, text: document.getText(), ...(objective ? { objective } : {}) };
}

export async function documentOf(uri: vscode.Uri | undefined): Promise<vscode.TextDocument | undefined> {
  if (uri instanceof vscode.Uri) return vscode.workspace.openTextDocument(uri);
  return vscode.window.activeTextEditor?.document;
}

/** An objective from the active file, else from the workspace's objective files. */
async function pickObjective(ctx: CommandContext, uri?: vscode.Uri, name?: string): Promise<{ document: vscode.TextDocument; objective: string } | undefined> {
  const active = await documentOf(uri);
  if (active && name) return { document: active, objective: name };
  const activeSites = active && active.languageId === 'typescript' ? (await ctx.sites(active.getText())).objectives.filter((s) => s.exported) : [];
  if (active && activeSites.length === 1) return { document: active, objective: activeSites[0].name };
  type Item = vscode.QuickPickItem & { uri: vscode.Uri; objective: string };
  const items: Item[] = activeSites.map((s) => ({ label: s.name, description: vscode.workspace.asRelativePath(active!.uri), uri: active!.uri, objective: s.name }));
  if (items.length === 0) {
    for (const file of await vscode.workspace.findFiles('**/*.ts', '**/{node_modules,.optimizer-lab,dist,out}/**', 200)) {
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(file));
      for (const s of (await ctx.sites(text)).objectives.filter((o) => o.exported)) {
        items.push({ label: s.name, description: vscode.workspace.asRelativePath(file), uri: file, objective: s.name });
      }
    }
  }
  if (items.length === 0) {
    void vscode.window.showInformationMessage('No objective found: an objective is an exported function with an `init` property. Try "Optimizer Lab: New objective file".');
    return undefined;
  }
  const picked = items.length === 1 ? items[0] : await vscode.window.showQuickPick(items, { title: 'Objective to optimize' });
  if (!picked) return undefined;
  return { document: await vscode.workspace.openTextDocument(picked.uri), objective: picked.objective };
}

type OptimizerItem = vscode.QuickPickItem & { id: string; defaultLr?: number; ruleFile?: string };

/** A built-in's pick item: family and lr beside the id, the summary and what it follows (torch class or paper) below. */
function builtInItem(o: OptimizerInfo, settings: RunSettings): OptimizerItem {
  return {
    id: o.id,
    label: o.id,
    defaultLr: o.defaultLr,
    description: `${o.family} · lr ${formatNumber(o.defaultLr)}${o.id === settings.defaultOptimizer && !settings.defaultRule ? ' (default)' : ''}`,
    detail: `${o.summary} — ${o.torchClass ?? o.reference}`,
  };
}

/** The built-in optimizers, then the workspace's optimizer rules. */
function optimizerItems(ctx: CommandContext, settings: RunSettings, builtIns: readonly OptimizerInfo[]): OptimizerItem[] {
  const builtIn = builtIns.map((o) => builtInItem(o, settings));
  const rules: OptimizerItem[] = ctx.catalog.ruleOptions((f) => vscode.workspace.asRelativePath(f)).map((r) => ({
    id: r.name, label: r.name, ruleFile: r.file, defaultLr: r.defaultLr,
    description: `rule in ${r.label}${r.defaultLr !== undefined ? ` lr ${formatNumber(r.defaultLr)}` : ''}`,
    ...(r.summary ? { detail: r.summary } : {}),
  }));
  return rules.length === 0 ? builtIn : [...builtIn, { id: '', label: 'workspace rules', kind: vscode.QuickPickItemKind.Separator }, ...rules];
}

/** A picked item as a run choice: a rule carries its file (and its unsaved text when open). */
function choiceOf(item: OptimizerItem, lr?: number): RunChoice {
  const open = item.ruleFile !== undefined ? vscode.workspace.textDocuments.find((d) => d.uri.fsPath === item.ruleFile) : undefined;
  return {
    optimizer: item.id,
    ...(item.ruleFile !== undefined ? { rule: { file: item.ruleFile, ...(open ? { text: open.getText() } : {}) } } : {}),
    ...(lr !== undefined ? { lr } : {}),
  };
}

/** Optional `key=value` hyperparameters in torch.optim names (numbers, booleans, comma lists). */
export function parseHp(text: string): Record<string, number | boolean | string | number[]> {
  const hp: Record<string, number | boolean | string | number[]> = {};
  for (const part of text.split(/\s+/).filter(Boolean)) {
    const [key, value = ''] = part.split('=');
    if (value === 'true' || value === 'false') hp[key] = value === 'true';
    else if (value.includes(',')) hp[key] = value.split(',').map(Number);
    else if (value !== '' && !Number.isNaN(Number(value))) hp[key] = Number(value);
    else hp[key] = value;
  }
  return hp;
}

async function askChoice(ctx: CommandContext, settings: RunSettings): Promise<RunChoice | undefined> {
  const items = optimizerItems(ctx, settings, await ctx.optimizers.loaded);
  const picked = await vscode.window.showQuickPick(items, { title: 'Optimizer', placeHolder: settings.defaultOptimizer, matchOnDetail: true });
  if (!picked) return undefined;
  const builtIn = picked.ruleFile === undefined;
  const defaultLr = builtIn && !settings.defaultRule && picked.id === settings.defaultOptimizer && settings.learningRate !== null ? settings.learningRate : picked.defaultLr ?? 1e-3;
  const lrText = await vscode.window.showInputBox({
    title: `${picked.id}: learning rate and hyperparameters`,
    prompt: builtIn ? 'lr, then optional torch.optim hyperparameters, e.g. "0.01 momentum=0.9 nesterov=true"' : 'lr, then optional hyperparameters of the rule\'s defaults, e.g. "1e-4 beta1=0.95"',
    value: String(defaultLr),
    validateInput: (v) => (Number(v.trim().split(/\s+/)[0]) > 0 ? undefined : 'start with a positive learning rate'),
  });
  if (lrText === undefined) return undefined;
  const [lr, ...rest] = lrText.trim().split(/\s+/);
  return { ...choiceOf(picked, Number(lr)), hp: parseHp(rest.join(' ')) };
}

async function withRunProgress(ctx: CommandContext, title: string, runIds: readonly string[]): Promise<void> {
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    token.onCancellationRequested(() => runIds.forEach((id) => ctx.controller.stop(id)));
    const total = () => runIds.reduce((n, id) => n + (ctx.controller.state.run(id)?.meta?.steps ?? 0), 0);
    let reported = 0;
    const sub = ctx.controller.listen({
      runChanged: (run) => {
        if (!runIds.includes(run.runId)) return;
        const done = runIds.reduce((n, id) => {
          const r = ctx.controller.state.run(id);
          return n + (r?.done || r?.error ? r.meta?.steps ?? 0 : r?.steps.length ?? 0);
        }, 0);
        const pct = total() > 0 ? (100 * done) / total() : 0;
        progress.report({ increment: pct - reported, message: run.steps.length > 0 ? `loss ${formatNumber(run.steps[run.steps.length - 1].loss)}` : undefined });
        reported = pct;
      },
    });
    try {
      await new Promise<void>((resolve) => {
        const check = setInterval(() => {
          const finished = runIds.every((id) => {
            const r = ctx.controller.state.run(id);
            return !r || r.done !== undefined || r.error !== undefined;
          });
          if (finished) {
            clearInterval(check);
            resolve();
          }
        }, 100);
      });
    } finally {
      sub.dispose();
    }
  });
}

export function run(ctx: CommandContext, target: RunTarget, choices: RunChoice[], mode: 'replace' | 'add', title: string): string[] {
  ctx.showDashboard();
  const ids = ctx.controller.start(target, choices, mode);
  ctx.log(`${title}: ${choices.map((c) => c.optimizer ?? ctx.settings().defaultOptimizer).join(', ')} on ${target.objective ?? '(the only objective)'} in ${target.file}`);
  void withRunProgress(ctx, title, ids);
  return ids;
}

function savedRunsItems(ctx: CommandContext): (vscode.QuickPickItem & { run: RunSnapshot })[] {
  return ctx.controller.state.allRuns().filter((r) => r.steps.length > 0).map((r) => ({
    run: r,
    label: `${r.meta?.objective ?? r.runId} · ${r.meta?.optimizer.id ?? ''}`,
    description: r.done ? `${r.done.status}, loss ${formatNumber(r.done.final.loss)}` : r.error ? 'error' : 'running',
  }));
}

export async function exportRunCommand(ctx: CommandContext, runId?: string): Promise<void> {
  const items = savedRunsItems(ctx);
  const item = runId ? items.find((i) => i.run.runId === runId) : items.length === 1 ? items[0] : await vscode.window.showQuickPick(items, { title: 'Run to export' });
  if (!item) {
    if (items.length === 0) void vscode.window.showInformationMessage('Optimizer Lab: no run to export yet.');
    return;
  }
  const r = item.run;
  const base = `${r.meta?.objective ?? 'run'}-${r.meta?.optimizer.id ?? 'run'}`;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const uri = await vscode.window.showSaveDialog({
    filters: { JSON: ['json'], CSV: ['csv'] },
    ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, `${base}.json`) } : {}),
  });
  if (!uri) return;
  const format = uri.path.endsWith('.csv') ? 'csv' : 'json';
  const text = exportRun(r, format, { file: r.file ?? '', optimizer: r.meta?.optimizer.id ?? '', seed: r.meta?.seed ?? 0 });
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
  ctx.log(`exported ${r.runId} to ${uri.fsPath}`);
}

/**
 * The dashboard's schedule field: `FILE#NAME` is a schedule function (FILE as the list labels it, absolute, or relative to
 * the first workspace folder; unsaved text sent), else a spec. `listed`: the list's functions (labels name multi-root files).
 */
function scheduleChoiceOf(field: string | undefined, listed: readonly ScheduleOption[]): Pick<RunChoice, 'schedule' | 'scheduleFile'> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  const resolve = (file: string): string => listed.find((s) => s.label === file)?.file
    ?? (path.isAbsolute(file) || !folder ? file : vscode.Uri.joinPath(folder.uri, file).fsPath);
  const textOf = (file: string): string | undefined => vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file)?.getText();
  const scheduleFile = scheduleFileOf(field ?? '', resolve, textOf);
  return scheduleFile ? { schedule: field ?? '', scheduleFile } : { schedule: field ?? '' };
}

/** Messages from the dashboard's controls. */
export async function handleDashboardMessage(ctx: CommandContext, message: WebviewToHost): Promise<void> {
  switch (message.type) {
    case 'run':
    case 'compare': {
      if (!requireTrust()) return;
      const target = ctx.controller.state.target;
      if (!target) return;
      const open = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === target.file);
      const t: RunTarget = { ...target, ...(open ? { text: open.getText() } : {}) };
      const ask = message.ask;
      const rule = ask.optimizer.rule;
      // Only rules the workspace scan found: the page names a file, the host decides what runs.
      if (rule && !ctx.catalog.hasRule(rule.file, ask.optimizer.id)) {
        ctx.log(`dashboard asked for rule '${ask.optimizer.id}' in ${rule.file}, which the workspace does not export`);
        return;
      }
      const ruleItem: OptimizerItem = { id: ask.optimizer.id, label: ask.optimizer.id, ...(rule ? { ruleFile: rule.file } : {}) };
      const choice: RunChoice = { ...choiceOf(ruleItem, ask.optimizer.lr), hp: ask.optimizer.hp, steps: ask.steps, ...scheduleChoiceOf(ask.schedule, ctx.controller.state.schedules), ...(ask.spectrum ? { spectrum: true } : {}) };
      ctx.controller.start(t, [choice], message.type === 'run' ? 'replace' : 'add');
      return;
    }
    case 'setLr':
      ctx.controller.setLr(message.runId, message.lr);
      return;
    case 'repeat':
      if (!requireTrust()) return;
      ctx.controller.repeat(message.runId, message.seeds);
      return;
    case 'stop':
      ctx.controller.stop(message.runId);
      return;
    case 'exportFile': {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      const uri = await vscode.window.showSaveDialog({ ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, path.basename(message.suggestedName)) } : {}) });
      if (!uri) return;
      const bytes = message.format === 'png' || message.format === 'webm' || message.format === 'zip'
        ? Buffer.from(message.content.replace(/^data:[^,]*;base64,/, ''), 'base64')
        : new TextEncoder().encode(message.content);
      await vscode.workspace.fs.writeFile(uri, bytes);
      return;
    }
    case 'copy':
      await vscode.env.clipboard.writeText(message.text);
      void vscode.window.showInformationMessage(`Copied the ${{ cli: 'CLI command', torch: 'torch.optim snippet', replay: 'replay record (open it with Optimizer Lab: Open Replay Record)' }[message.what]}.`);
      return;
    case 'openSweepRun':
      if (requireTrust()) openSweepTrial(ctx, message.run);
      return;
    case 'ready':
      return;
  }
}

/** Compare: the optimizers picked (built-ins and workspace rules), each at its default lr or over the lrs typed. */
async function compareCommand(ctx: CommandContext, uri?: vscode.Uri, name?: string, ids?: string[]): Promise<string[]> {
  if (!requireTrust()) return [];
  const picked = await pickObjective(ctx, uri, name);
  if (!picked) return [];
  const settings = ctx.settings();
  let chosen: RunChoice[] | undefined = ids?.map((id) => ({ optimizer: id }));
  if (!chosen) {
    const items = optimizerItems(ctx, settings, await ctx.optimizers.loaded).map((i) => ({ ...i, picked: i.ruleFile === undefined && ['sgd', 'adam', 'lbfgs'].includes(i.id) }));
    const sel = await vscode.window.showQuickPick(items, { title: 'Optimizers to compare (each at its default lr)', canPickMany: true });
    if (!sel || sel.length === 0) return [];
    const lrs = await vscode.window.showInputBox({
      title: 'Learning rates (optional)', prompt: 'Space-separated learning rates to sweep for every optimizer; empty: each default', value: '',
      validateInput: (v) => (v.trim().split(/\s+/).filter(Boolean).every((x) => Number(x) > 0) ? undefined : 'positive numbers only'),
    });
    if (lrs === undefined) return [];
    const rates = lrs.trim().split(/\s+/).filter(Boolean).map(Number);
    chosen = rates.length > 0 ? sel.flatMap((item) => rates.map((lr) => choiceOf(item, lr))) : sel.map((item) => choiceOf(item));
  }
  return run(ctx, targetOf(picked.document, picked.objective), chosen, ctx.newRun(), `Optimizer Lab: comparing on ${picked.objective}`);
}

async function toggleLive(ctx: CommandContext, uri?: vscode.Uri): Promise<boolean> {
  const document = await documentOf(uri);
  if (!document) {
    void vscode.window.showInformationMessage('Optimizer Lab: open an objective file to turn live mode on.');
    return false;
  }
  const file = document.uri.fsPath;
  const on = !ctx.live.isLive(file);
  if (on && !requireTrust()) return false;
  if (on) ctx.showDashboard();
  ctx.live.set(file, on, on ? document.getText() : undefined);
  void vscode.window.setStatusBarMessage(`Optimizer Lab: live mode ${on ? 'on' : 'off'} for ${path.basename(file)}`, 3000);
  ctx.refreshLenses();
  return on;
}

/** A new objective file from the template (objective.ts, objective2.ts, …), with the type declarations set up. */
async function newObjective(ctx: CommandContext): Promise<vscode.Uri> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    const doc = await vscode.workspace.openTextDocument({ language: 'typescript', content: objectiveTemplate() });
    await vscode.window.showTextDocument(doc);
    return doc.uri;
  }
  let uri = vscode.Uri.joinPath(folder.uri, 'objective.ts');
  for (let k = 2; await exists(uri); k++) uri = vscode.Uri.joinPath(folder.uri, `objective${k}.ts`);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(objectiveTemplate()));
  await setUpTypes(ctx.extensionUri, folder, ctx.log);
  await vscode.window.showTextDocument(uri);
  return uri;
}

export function registerCommands(ctx: CommandContext): vscode.Disposable[] {
  const runObjective = async (uri?: vscode.Uri, name?: string, choice: RunChoice = {}, title = 'Optimizer Lab: running'): Promise<string[]> => {
    if (!requireTrust()) return [];
    const picked = await pickObjective(ctx, uri, name);
    if (!picked) return [];
    return run(ctx, targetOf(picked.document, picked.objective), [choice], ctx.newRun(), title);
  };
  return [
    // Arguments (from scripts and tests) skip the prompts they answer.
    vscode.commands.registerCommand(COMMANDS.run, async (uri?: vscode.Uri, name?: string, given?: RunChoice) => {
      if (!requireTrust()) return [];
      const picked = await pickObjective(ctx, uri, name);
      if (!picked) return [];
      const choice = given ?? await askChoice(ctx, ctx.settings());
      if (!choice) return [];
      return run(ctx, targetOf(picked.document, picked.objective), [choice], ctx.newRun(), `Optimizer Lab: ${choice.optimizer} on ${picked.objective}`);
    }),
    vscode.commands.registerCommand(COMMANDS.runObjective, (uri?: vscode.Uri, name?: string) => runObjective(uri, name)),
    vscode.commands.registerCommand(COMMANDS.compare, (uri?: vscode.Uri, name?: string, ids?: string[]) => compareCommand(ctx, uri, name, ids)),
    vscode.commands.registerCommand(COMMANDS.hessian, (uri?: vscode.Uri, name?: string) => {
      const steps = ctx.settings().steps;
      // Curvature at the start and at the end: spectrum ends, κ and the critical-point verdict.
      return runObjective(uri, name, { curvatureEvery: steps }, 'Optimizer Lab: curvature');
    }),
    vscode.commands.registerCommand(COMMANDS.landscape, (uri?: vscode.Uri, name?: string) =>
      // The landscape around the run: contour (≤ 2 parameters) or random filter-normalised slices, in the Trajectory card.
      runObjective(uri, name, { landscape: true }, 'Optimizer Lab: landscape')),
    vscode.commands.registerCommand(COMMANDS.stop, () => {
      ctx.controller.stop();
      ctx.log('stopped every run');
    }),
    vscode.commands.registerCommand(COMMANDS.openDashboard, () => ctx.showDashboard()),
    vscode.commands.registerCommand(COMMANDS.exportRun, (runId?: string) => exportRunCommand(ctx, runId)),
    vscode.commands.registerCommand(COMMANDS.toggleLive, (uri?: vscode.Uri) => toggleLive(ctx, uri)),
    vscode.commands.registerCommand(COMMANDS.newObjective, () => newObjective(ctx)),
    vscode.commands.registerCommand(COMMANDS.setUpTypes, async (uri?: vscode.Uri) => {
      const folder = (uri && vscode.workspace.getWorkspaceFolder(uri)) ?? vscode.workspace.workspaceFolders?.[0];
      if (!folder) {
        void vscode.window.showInformationMessage('Optimizer Lab: open a folder to set up the type declarations.');
        return false;
      }
      return setUpTypes(ctx.extensionUri, folder, ctx.log);
    }),
  ];
}

export async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}
