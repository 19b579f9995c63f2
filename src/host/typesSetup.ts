/**
 * Makes objective files type-check where TensorFlow.js is not installed:
 * copies the shipped declarations into the workspace folder and points
 * tsconfig.json's `paths` at them. Offered as a quick fix on the unresolved
 * import, and done automatically by "New objective file".
 */
import * as vscode from 'vscode';
import { COMMANDS } from './commandIds';
import { TYPES_DIR, TsconfigError, newTsconfig, patchTsconfig } from './workspaceTsconfig';

const MODULES = /['"](@tensorflow\/tfjs(?:-core|-node)?|optimizer-lab)['"]/;

export async function setUpTypes(extensionUri: vscode.Uri, folder: vscode.WorkspaceFolder, log: (m: string) => void): Promise<boolean> {
  const source = vscode.Uri.joinPath(extensionUri, 'dist', 'types');
  const target = vscode.Uri.joinPath(folder.uri, ...TYPES_DIR.split('/'));
  await vscode.workspace.fs.copy(source, target, { overwrite: true });
  const tsconfig = vscode.Uri.joinPath(folder.uri, 'tsconfig.json');
  let existing: string | undefined;
  try {
    existing = new TextDecoder().decode(await vscode.workspace.fs.readFile(tsconfig));
  } catch {
    existing = undefined;
  }
  try {
    const text = existing === undefined ? newTsconfig() : patchTsconfig(existing);
    if (text !== undefined) await vscode.workspace.fs.writeFile(tsconfig, new TextEncoder().encode(text));
  } catch (e) {
    if (!(e instanceof TsconfigError)) throw e;
    void vscode.window.showWarningMessage(`Optimizer Lab copied the type declarations to ${TYPES_DIR}, but ${e.message}.`);
    return false;
  }
  log(`type declarations set up in ${folder.uri.fsPath} (${TYPES_DIR}, tsconfig.json paths)`);
  // The TypeScript server rereads tsconfig.json by itself; a restart makes it immediate.
  await vscode.commands.executeCommand('typescript.restartTsServer').then(undefined, () => undefined);
  return true;
}

/** Quick fix on "Cannot find module '@tensorflow/tfjs'" (TS2307) and its kin. */
export class TypesQuickFix implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const diagnostics = context.diagnostics.filter((d) => (d.code === 2307 || d.code === 2792 || String(d.code) === '2307') && MODULES.test(d.message));
    if (diagnostics.length === 0) return [];
    const action = new vscode.CodeAction('Optimizer Lab: add TensorFlow.js and objective types to this workspace', vscode.CodeActionKind.QuickFix);
    action.diagnostics = diagnostics;
    action.isPreferred = true;
    action.command = { title: action.title, command: COMMANDS.setUpTypes, arguments: [document.uri] };
    return [action];
  }
}
