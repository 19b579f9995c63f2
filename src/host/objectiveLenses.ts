/**
 * Code lenses above every objective, placed from the document's text as the
 * user types: ▶ Run (<optimizer>) with the last result · Compare · Hessian ·
 * Landscape · Find lr; a single explanatory lens when the objective cannot run (not
 * exported, or the workspace is not trusted).
 */
import * as vscode from 'vscode';
import type { SourceSites } from './discovery/sites';
import { lensTitles, problemTitle } from './lensTitles';
import type { RunSnapshot } from '../protocol/webview';
import { COMMANDS } from './commandIds';

export interface LensSources {
  defaultOptimizer(): string;
  /** The finished runs of the objective's last batch (one Run or a Compare) and how many runs it started. */
  lastRuns(file: string, objective: string): { readonly runs: readonly RunSnapshot[]; readonly size: number } | undefined;
  /** A text's objectives (the discovery worker's SourceIndex). */
  sites(text: string): Promise<SourceSites>;
}

export class ObjectiveLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly sources: LensSources) {}

  refresh(): void {
    this.changed.fire();
  }

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const file = document.uri.fsPath;
    const lenses: vscode.CodeLens[] = [];
    const { objectives } = await this.sources.sites(document.getText());
    for (const site of objectives) {
      const range = new vscode.Range(site.line, site.column, site.line, site.column);
      const args = [document.uri, site.name];
      if (!vscode.workspace.isTrusted) {
        lenses.push(new vscode.CodeLens(range, { title: '$(lock) Optimizer Lab: trust this workspace to run objectives', command: 'workbench.trust.manage' }));
        continue;
      }
      if (site.problem) {
        lenses.push(new vscode.CodeLens(range, { title: problemTitle(site.problem), command: '', tooltip: site.problem }));
        continue;
      }
      const last = this.sources.lastRuns(file, site.name);
      const titles = lensTitles(this.sources.defaultOptimizer(), last?.runs, last?.size);
      lenses.push(
        new vscode.CodeLens(range, { title: titles.run, command: COMMANDS.runObjective, arguments: args, tooltip: 'Run with the default optimizer and settings' }),
        new vscode.CodeLens(range, { title: titles.compare, command: COMMANDS.compare, arguments: args }),
        new vscode.CodeLens(range, { title: titles.hessian, command: COMMANDS.hessian, arguments: args, tooltip: 'Spectrum ends, condition number and critical-point type at the start and the end' }),
        new vscode.CodeLens(range, { title: titles.landscape, command: COMMANDS.landscape, arguments: args, tooltip: 'The loss around the run: contour for two parameters, the trajectory otherwise' }),
        new vscode.CodeLens(range, { title: 'Find lr', command: COMMANDS.findLr, arguments: args, tooltip: 'Learning-rate range test (lr 1e-7 → 10, fastai\'s lr_find): the loss against the lr and the suggested lr' }),
      );
    }
    return lenses;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
