/** The sidebar's Runs view: the tree model (runTreeModel.ts) as VS Code tree items, refreshed when runs change. */
import * as vscode from 'vscode';
import type { RunController } from '../runController';
import type { RunHistory } from './runHistory';
import { runTree, type ObjectiveNode, type RunNode } from './runTreeModel';

export const RUNS_VIEW_ID = 'optimizerLab.runs';
export const SHOW_RUN_COMMAND = 'optimizerLab.runs.show';

export type RunTreeNode = ObjectiveNode | RunNode;

const STATUS_ICONS: Record<string, string> = {
  completed: 'pass', converged: 'pass', cancelled: 'circle-slash', 'time-limit': 'watch', diverged: 'warning',
  error: 'error', interrupted: 'debug-disconnect', running: 'loading~spin',
};

export class RunTreeProvider implements vscode.TreeDataProvider<RunTreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunTreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  filter = '';

  constructor(private readonly history: RunHistory | undefined, private readonly controller: RunController) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  getChildren(node?: RunTreeNode): RunTreeNode[] {
    if (node) return node.kind === 'objective' ? node.runs : [];
    if (!this.history) return [];
    return runTree(this.history.store.list().map((e) => e.header), {
      filter: this.filter,
      shown: (id) => this.controller.state.isShown(id),
      displayPath: (file) => vscode.workspace.asRelativePath(file),
      now: new Date(),
    });
  }

  getTreeItem(node: RunTreeNode): vscode.TreeItem {
    if (node.kind === 'objective') {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `objective:${node.key}`;
      item.description = node.description;
      item.contextValue = 'objective';
      item.iconPath = new vscode.ThemeIcon('symbol-function');
      return item;
    }
    const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
    item.id = `run:${node.runId}`;
    item.description = node.description;
    item.tooltip = node.tooltip;
    // Words the menus' `when` clauses match: what the item offers depends on them.
    item.contextValue = `run ${node.pinned ? 'pinned' : 'unpinned'} ${node.shown ? 'shown' : 'hidden'}`;
    item.iconPath = new vscode.ThemeIcon(node.pinned ? 'pinned' : STATUS_ICONS[node.status] ?? 'circle-outline');
    item.command = { command: SHOW_RUN_COMMAND, title: 'Show in dashboard', arguments: [node] };
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
