/**
 * Commands for optimizer rules: the lenses' "▶ Try on …" and "Compare with
 * adam", and "New optimizer file". Like every command that runs user code,
 * they check Workspace Trust first.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS } from './commandIds';
import { documentOf, exists, requireTrust, run, targetOf, type CommandContext } from './commands';
import { optimizerTemplate } from './optimizerTemplate';
import { COMPARE_WITH } from './ruleLensModel';
import type { RunChoice } from './runSettings';
import { setUpTypes } from './typesSetup';

export function registerRuleCommands(ctx: CommandContext): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(COMMANDS.tryRule, (uri?: vscode.Uri, name?: string) => runRule(ctx, uri, name, false)),
    vscode.commands.registerCommand(COMMANDS.compareRule, (uri?: vscode.Uri, name?: string) => runRule(ctx, uri, name, true)),
    vscode.commands.registerCommand(COMMANDS.newOptimizerFile, () => newOptimizerFile(ctx)),
  ];
}

/** The rule to run: the lens's name, else the file's only usable rule, else the user's pick. */
async function pickRule(ctx: CommandContext, document: vscode.TextDocument, name?: string): Promise<string | undefined> {
  if (name) return name;
  const names = (await ctx.sites(document.getText())).rules.filter((r) => r.exported && !r.problem).map((r) => r.name);
  if (names.length <= 1) return names[0];
  return vscode.window.showQuickPick(names, { title: 'Optimizer rule' });
}

/** Runs the rule on the objective "▶ Try on …" names; with `compare`, the built-in adam beside it. */
async function runRule(ctx: CommandContext, uri: vscode.Uri | undefined, name: string | undefined, compare: boolean): Promise<string[]> {
  if (!requireTrust()) return [];
  const document = await documentOf(uri);
  const rule = document && await pickRule(ctx, document, name);
  if (!document || !rule) {
    void vscode.window.showInformationMessage('Optimizer Lab: open a file that exports an optimizer rule (an object with defaults, init and update).');
    return [];
  }
  const on = ctx.tryOn();
  if (!on) {
    const answer = await vscode.window.showInformationMessage(
      `Optimizer Lab: no objective to try ${rule} on. An objective is an exported function with an \`init\` property; run one, or create one first.`,
      'New objective file',
    );
    if (answer) await vscode.commands.executeCommand(COMMANDS.newObjective);
    return [];
  }
  const objective = await vscode.workspace.openTextDocument(vscode.Uri.file(on.file));
  // The rule's unsaved text, as the objective's: a run sees what the user sees.
  const choice: RunChoice = { optimizer: rule, rule: { file: document.uri.fsPath, text: document.getText() } };
  const choices = compare ? [choice, { optimizer: COMPARE_WITH }] : [choice];
  const title = compare ? `Optimizer Lab: ${rule} vs ${COMPARE_WITH} on ${on.objective}` : `Optimizer Lab: ${rule} on ${on.objective}`;
  return run(ctx, targetOf(objective, on.objective), choices, ctx.newRun(), title);
}

/** Writes the commented Lion template next to the active file (in the workspace), else in the first folder. */
async function newOptimizerFile(ctx: CommandContext): Promise<vscode.Uri> {
  const active = vscode.window.activeTextEditor?.document.uri;
  const activeFolder = active?.scheme === 'file' ? vscode.workspace.getWorkspaceFolder(active) : undefined;
  const folder = activeFolder ?? vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    const doc = await vscode.workspace.openTextDocument({ language: 'typescript', content: optimizerTemplate() });
    await vscode.window.showTextDocument(doc);
    return doc.uri;
  }
  const dir = activeFolder && active ? vscode.Uri.file(path.dirname(active.fsPath)) : folder.uri;
  let name = 'lion';
  let uri = vscode.Uri.joinPath(dir, `${name}.ts`);
  for (let k = 2; await exists(uri); k++) {
    name = `lion${k}`;
    uri = vscode.Uri.joinPath(dir, `${name}.ts`);
  }
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(optimizerTemplate(name)));
  // `import type { OptimizerRule } from 'optimizer-lab'` type-checks for tsc too, as New objective file does.
  await setUpTypes(ctx.extensionUri, folder, ctx.log);
  await vscode.window.showTextDocument(uri);
  return uri;
}
