/**
 * The Runs view's actions: Show/Hide in the dashboard, Pin, Rename, Compare selected, Re-run, Open JSON,
 * Copy as CLI / torch, Delete (the only one that removes a file, after a confirmation) and Filter….
 * Multi-selection: an action applies to every selected run.
 */
import * as vscode from 'vscode';
import { cliCommand } from '../../../webview/exports/cliCommand';
import { torchSnippet } from '../../../webview/exports/torchSnippet';
import { requireTrust, run, type CommandContext } from '../commands';
import { exportRun } from '../exportRun';
import type { RunHistory } from './runHistory';
import type { RunNode } from './runTreeModel';
import { SHOW_RUN_COMMAND, type RunTreeNode, type RunTreeProvider } from './runTreeView';

/** Command ids, as declared in package.json's contributes.commands. */
export const RUN_HISTORY_COMMANDS = {
  show: SHOW_RUN_COMMAND,
  hide: 'optimizerLab.runs.hide',
  pin: 'optimizerLab.runs.pin',
  unpin: 'optimizerLab.runs.unpin',
  rename: 'optimizerLab.runs.rename',
  compare: 'optimizerLab.runs.compare',
  rerun: 'optimizerLab.runs.rerun',
  openJson: 'optimizerLab.runs.openJson',
  copyCli: 'optimizerLab.runs.copyCli',
  copyTorch: 'optimizerLab.runs.copyTorch',
  delete: 'optimizerLab.runs.delete',
  filter: 'optimizerLab.runs.filter',
} as const;

export interface RunHistoryCommandContext {
  readonly commands: CommandContext;
  readonly history: RunHistory;
  readonly tree: RunTreeProvider;
  readonly view: vscode.TreeView<RunTreeNode>;
}

/** The runs an action applies to: the selection when the clicked item is in it, else the clicked item. */
function runsOf(c: RunHistoryCommandContext, item?: RunTreeNode, selected?: readonly RunTreeNode[]): RunNode[] {
  const chosen = selected && selected.length > 0 ? selected : item ? [item] : c.view.selection;
  return chosen.flatMap((n) => (n.kind === 'run' ? [n] : n.runs));
}

async function copyAs(c: RunHistoryCommandContext, node: RunNode | undefined, what: 'cli' | 'torch'): Promise<void> {
  if (!node) return;
  const snapshot = await c.history.snapshot(node.runId);
  if (!snapshot?.meta) {
    void vscode.window.showInformationMessage('Optimizer Lab: this run never started, so there is nothing to copy.');
    return;
  }
  const optimizer = c.commands.optimizers.all.find((o) => o.id === snapshot.meta?.optimizer.id && !snapshot.meta?.optimizer.file);
  await vscode.env.clipboard.writeText(what === 'cli' ? cliCommand(snapshot) : torchSnippet(snapshot, optimizer));
  void vscode.window.showInformationMessage(`Copied the ${what === 'cli' ? 'CLI command' : 'torch.optim snippet'}.`);
}

async function rerun(c: RunHistoryCommandContext, nodes: readonly RunNode[]): Promise<void> {
  if (!requireTrust()) return;
  const origins = nodes.map((n) => c.history.originOf(n.runId)).filter((o) => o !== undefined);
  for (const origin of origins) {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === origin.target.file);
    const target = { ...origin.target, ...(open ? { text: open.getText() } : {}) };
    run(c.commands, target, [origin.choice], 'add', `Optimizer Lab: re-running ${origin.choice.optimizer ?? ''} on ${origin.target.objective ?? ''}`);
  }
}

async function deleteRuns(c: RunHistoryCommandContext, nodes: readonly RunNode[]): Promise<void> {
  if (nodes.length === 0) return;
  const what = nodes.length === 1 ? `the run '${nodes[0].label}'` : `${nodes.length} runs`;
  const pinned = nodes.some((n) => n.pinned) ? ' (pinned runs included)' : '';
  const answer = await vscode.window.showWarningMessage(`Delete ${what}${pinned} from disk? This cannot be undone.`, { modal: true }, 'Delete');
  if (answer !== 'Delete') return;
  await c.history.delete(nodes.map((n) => n.runId));
}

async function openJson(c: RunHistoryCommandContext, node: RunNode): Promise<void> {
  const snapshot = await c.history.snapshot(node.runId);
  if (!snapshot) return;
  const text = exportRun(snapshot, 'json', { file: snapshot.file ?? '', optimizer: snapshot.meta?.optimizer.id ?? '', seed: snapshot.meta?.seed ?? 0 });
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument({ language: 'json', content: text }));
}

async function filter(c: RunHistoryCommandContext): Promise<void> {
  const value = await vscode.window.showInputBox({
    title: 'Filter runs', value: c.tree.filter,
    prompt: 'Words that must all appear in the objective, file, optimizer, name or status (e.g. "adam diverged"); empty shows every run',
  });
  if (value === undefined) return;
  c.tree.filter = value.trim();
  c.view.description = c.tree.filter ? `filter: ${c.tree.filter}` : undefined;
  c.tree.refresh();
}

/** The commands; without a history (no folder, no workspace storage) each says why there are no runs. */
export function registerRunHistoryCommands(given: Omit<RunHistoryCommandContext, 'history'> & { history?: RunHistory }): vscode.Disposable[] {
  const ids = RUN_HISTORY_COMMANDS;
  const { history } = given;
  if (!history) {
    return Object.values(ids).map((id) => vscode.commands.registerCommand(id, () =>
      void vscode.window.showInformationMessage('Optimizer Lab: open a folder to keep runs (they are saved in its .optimizer-lab/runs).')));
  }
  const c: RunHistoryCommandContext = { ...given, history };
  type Handler = (item?: RunTreeNode, selected?: readonly RunTreeNode[]) => unknown;
  const on = (id: string, handler: Handler): vscode.Disposable => vscode.commands.registerCommand(id, handler);
  const each = (f: (n: RunNode) => Promise<void>): Handler => async (item, selected) => {
    for (const n of runsOf(c, item, selected)) await f(n);
    c.tree.refresh();
  };
  return [
    on(ids.show, async (item, selected) => {
      c.commands.showDashboard();
      await c.history.show(runsOf(c, item, selected).map((n) => n.runId));
      c.tree.refresh();
    }),
    on(ids.hide, (item, selected) => {
      c.history.hide(runsOf(c, item, selected).map((n) => n.runId));
      c.tree.refresh();
    }),
    on(ids.pin, each((n) => c.history.setPinned(n.runId, true))),
    on(ids.unpin, each((n) => c.history.setPinned(n.runId, false))),
    on(ids.rename, async (item, selected) => {
      const node = runsOf(c, item, selected)[0];
      if (!node) return;
      const label = await vscode.window.showInputBox({ title: 'Rename run', prompt: 'A name for this run (empty: none)', value: c.history.store.get(node.runId)?.header.label ?? '' });
      if (label === undefined) return;
      await c.history.store.rename(node.runId, label);
      c.tree.refresh();
    }),
    on(ids.compare, async (item, selected) => {
      c.commands.showDashboard();
      await c.history.compare(runsOf(c, item, selected).map((n) => n.runId));
      c.tree.refresh();
    }),
    on(ids.rerun, (item, selected) => rerun(c, runsOf(c, item, selected))),
    on(ids.openJson, async (item, selected) => {
      for (const n of runsOf(c, item, selected).slice(0, 5)) await openJson(c, n);
    }),
    on(ids.copyCli, async (item, selected) => copyAs(c, runsOf(c, item, selected)[0], 'cli')),
    on(ids.copyTorch, async (item, selected) => copyAs(c, runsOf(c, item, selected)[0], 'torch')),
    on(ids.delete, (item, selected) => deleteRuns(c, runsOf(c, item, selected))),
    on(ids.filter, () => filter(c)),
  ];
}
