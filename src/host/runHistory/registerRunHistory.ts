/**
 * Wires the run history: where runs are saved, the store and its settings, the Runs view and its commands.
 * Runs are saved in the workspace folder's `.optimizer-lab/runs/` (README says why); a window without a
 * folder saves them in the extension's workspace storage, and one with neither keeps none.
 */
import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import type { CommandContext } from '../commands';
import type { RunController } from '../runController';
import { RunHistory } from './runHistory';
import { registerRunHistoryCommands } from './runHistoryCommands';
import { RunStore } from './runStore';
import { RUNS_VIEW_ID, RunTreeProvider } from './runTreeView';

const SHOWN_KEY = 'optimizerLab.runHistory.shown';
export const DEFAULT_MAX_SIZE_MB = 200;

/** The folder runs are saved in, if any. */
function runsFolder(context: vscode.ExtensionContext): vscode.Uri | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (folder) return vscode.Uri.joinPath(folder, '.optimizer-lab', 'runs');
  return context.storageUri ? vscode.Uri.joinPath(context.storageUri, 'runs') : undefined;
}

/** `optimizerLab.runHistory.maxSizeMB` in bytes (0: no cap; invalid: the default). */
export function maxSizeBytes(value: unknown): number {
  const mb = typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : DEFAULT_MAX_SIZE_MB;
  return mb * 1024 * 1024;
}

/** `optimizerLab.newRun`: whether a Run adds to the drawn runs or replaces them (pinned runs stay). */
export function newRunMode(value: unknown): 'add' | 'replace' {
  return value === 'replace' ? 'replace' : 'add';
}

export interface RunHistoryWiring {
  readonly history?: RunHistory;
  readonly disposables: vscode.Disposable[];
}

export function registerRunHistory(context: vscode.ExtensionContext, controller: RunController, commands: CommandContext, log: (m: string) => void): RunHistoryWiring {
  const dir = runsFolder(context);
  const config = () => vscode.workspace.getConfiguration('optimizerLab');
  const history = dir ? new RunHistory(
    new RunStore({ dir: dir.fsPath, maxBytes: () => maxSizeBytes(config().get('runHistory.maxSizeMB')), warn: (m) => log(`run history: ${m}`) }),
    controller,
    {
      shownIds: () => context.workspaceState.get<string[]>(SHOWN_KEY) ?? [],
      setShownIds: (ids) => void context.workspaceState.update(SHOWN_KEY, ids),
      readText: (file) => fs.readFile(file, 'utf8').catch(() => undefined),
      log,
    },
  ) : undefined;
  const tree = new RunTreeProvider(history, controller);
  const view = vscode.window.createTreeView(RUNS_VIEW_ID, { treeDataProvider: tree, canSelectMany: true, showCollapseAll: true });
  if (!history) view.message = 'Open a folder to keep runs: they are saved in its .optimizer-lab/runs.';
  const disposables: vscode.Disposable[] = [tree, view, ...registerRunHistoryCommands({ commands, tree, view, ...(history ? { history } : {}) })];
  if (history) {
    disposables.push(
      controller.listen(history.listener()),
      controller.listen({ post: (m) => void (m.type === 'snapshot' || m.type === 'liveVersion' ? tree.refresh() : undefined) }),
      history.store.onDidChange(() => tree.refresh()),
    );
    void history.restore().catch((e: Error) => log(`run history: could not load the saved runs: ${e.message}`));
  }
  return { history, disposables };
}
