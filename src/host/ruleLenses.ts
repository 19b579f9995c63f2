/** Code lenses above every optimizer rule (titles and commands come from ruleLensModel.ts). */
import * as vscode from 'vscode';
import type { RunSnapshot } from '../protocol/webview';
import type { SourceSites } from './discovery/sites';
import { ruleLenses } from './ruleLensModel';
import type { ObjectiveRef } from './workspaceCatalog';

export interface RuleLensSources {
  /** The objective "▶ Try on …" runs on. */
  target(): ObjectiveRef | undefined;
  lastRun(ruleFile: string, rule: string): RunSnapshot | undefined;
  /** A text's rules (the discovery worker's SourceIndex). */
  sites(text: string): Promise<SourceSites>;
}

export class RuleLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly sources: RuleLensSources) {}

  refresh(): void {
    this.changed.fire();
  }

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const text = document.getText();
    // Most .ts files hold no rule: skip the scan unless both keys appear somewhere.
    if (!/\bupdate\b/.test(text) || !/\binit\b/.test(text)) return [];
    const file = document.uri.fsPath;
    const { rules } = await this.sources.sites(text);
    const specs = ruleLenses(rules, {
      trusted: vscode.workspace.isTrusted,
      target: this.sources.target(),
      lastRun: (rule) => this.sources.lastRun(file, rule),
    });
    return specs.map((s) => new vscode.CodeLens(new vscode.Range(s.line, s.column, s.line, s.column), {
      title: s.title, command: s.command,
      ...(s.tooltip ? { tooltip: s.tooltip } : {}),
      ...(s.withRule ? { arguments: [document.uri, s.rule] } : {}),
    }));
  }

  dispose(): void {
    this.changed.dispose();
  }
}
