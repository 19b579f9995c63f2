/**
 * Feeds the WorkspaceCatalog from the workspace's .ts files: one scan at
 * start (asynchronous reads, off the activation path), then a file watcher
 * and open documents' edits keep it current. Reading is cheap and runs no
 * code, so it happens in untrusted workspaces too (nothing is run from it).
 */
import * as vscode from 'vscode';
import type { WorkspaceCatalog } from './workspaceCatalog';

const INCLUDE = '**/*.ts';
const EXCLUDE = '**/{node_modules,.optimizer-lab,dist,out,.git}/**';
/** Enough for any workspace of objective and rule files; a monorepo's thousands are not scanned. */
const MAX_FILES = 500;
/** Larger files are not objective or rule files a person wrote by hand. */
const MAX_BYTES = 512 * 1024;

export class WorkspaceScanner implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  /** Settles when the first scan has finished (tests and the first lens wait on it). */
  readonly ready: Promise<void>;

  constructor(private readonly catalog: WorkspaceCatalog, private readonly log: (message: string) => void) {
    const watcher = vscode.workspace.createFileSystemWatcher(INCLUDE);
    this.disposables.push(
      watcher,
      watcher.onDidCreate((uri) => void this.read(uri)),
      watcher.onDidChange((uri) => void this.read(uri)),
      watcher.onDidDelete((uri) => catalog.remove(uri.fsPath)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0 && isScanned(e.document)) void this.update(e.document.uri.fsPath, e.document.getText());
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.scan()),
    );
    this.ready = this.scan();
  }

  private async scan(): Promise<void> {
    try {
      const files = await vscode.workspace.findFiles(INCLUDE, EXCLUDE, MAX_FILES);
      await Promise.all(files.map((uri) => this.read(uri)));
      this.log(`workspace scan: ${files.length} .ts file(s), ${this.catalog.ruleOptions().length} optimizer rule(s)`);
    } catch (e) {
      this.log(`workspace scan failed: ${(e as Error).message}`);
    }
  }

  private async read(uri: vscode.Uri): Promise<void> {
    if (/[\\/](node_modules|\.optimizer-lab|\.git)[\\/]/.test(uri.path) || uri.path.endsWith('.d.ts')) return;
    // An open document's text is newer than the disk's.
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (open) {
      await this.update(uri.fsPath, open.getText());
      return;
    }
    try {
      const stat = await vscode.workspace.fs.stat(uri);
      if (stat.size > MAX_BYTES) return;
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      await this.update(uri.fsPath, text);
    } catch {
      // Deleted between the event and the read: the delete event removes it.
    }
  }

  private async update(file: string, text: string): Promise<void> {
    try {
      await this.catalog.update(file, text);
    } catch (e) {
      this.log(`could not read the objectives and rules of ${file}: ${(e as Error).message}`);
    }
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

function isScanned(document: vscode.TextDocument): boolean {
  return document.uri.scheme === 'file' && document.languageId === 'typescript' && !document.uri.path.endsWith('.d.ts')
    && vscode.workspace.getWorkspaceFolder(document.uri) !== undefined;
}
