/** Compile and runtime errors in the Problems panel, at the exact range; cleared when the code runs again. */
import * as vscode from 'vscode';
import type { RunError } from '../protocol/runner';
import { errorRange } from './errorRange';

export class RunProblems implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('optimizer-lab');

  async show(file: string, errors: readonly RunError[]): Promise<void> {
    if (!file) return;
    const uri = vscode.Uri.file(file);
    if (errors.length === 0) {
      this.collection.delete(uri);
      return;
    }
    const open = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === uri.fsPath);
    const lines = open ? open.getText().split(/\r?\n/) : await readLines(uri);
    this.collection.set(uri, errors.map((error) => {
      const r = errorRange(error, lines);
      const d = new vscode.Diagnostic(new vscode.Range(r.startLine, r.startColumn, r.endLine, r.endColumn), error.message.split('\n')[0], vscode.DiagnosticSeverity.Error);
      d.source = 'Optimizer Lab';
      d.code = error.kind;
      return d;
    }));
  }

  get(uri: vscode.Uri): readonly vscode.Diagnostic[] {
    return this.collection.get(uri) ?? [];
  }

  dispose(): void {
    this.collection.dispose();
  }
}

async function readLines(uri: vscode.Uri): Promise<string[]> {
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)).split(/\r?\n/);
  } catch {
    return [];
  }
}
