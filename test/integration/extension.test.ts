/**
 * Scenarios in a real VS Code, on the examples workspace: the command, a code
 * lens, live re-runs on edits (ghost of the previous version), a syntax error
 * in the Problems panel and its clearing. Edits are never saved.
 */
import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import type { OptimizerLabApi } from '../../src/extension';
import { waitFor } from './waitFor';

const EXTENSION_ID = 'optimizer-lab.optimizer-lab';

async function openExample(name: string): Promise<vscode.TextDocument> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the suite needs the examples folder open as the workspace');
  const [uri] = await vscode.workspace.findFiles(`**/${name}`, '**/node_modules/**', 1);
  assert.ok(uri, `${name} not found in ${folder.uri.fsPath}`);
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc);
  return doc;
}

async function replaceText(doc: vscode.TextDocument, from: string, to: string): Promise<void> {
  const at = doc.getText().indexOf(from);
  assert.ok(at >= 0, `'${from}' not in ${doc.uri.fsPath}`);
  const edit = new vscode.WorkspaceEdit();
  edit.replace(doc.uri, new vscode.Range(doc.positionAt(at), doc.positionAt(at + from.length)), to);
  assert.ok(await vscode.workspace.applyEdit(edit));
}

function finalLoss(api: OptimizerLabApi, runId: string): number | undefined {
  return api.controller.state.run(runId)?.done?.final.loss;
}

describe('Optimizer Lab in VS Code', () => {
  let api: OptimizerLabApi;
  let doc: vscode.TextDocument;

  before(async () => {
    doc = await openExample('rosenbrock.ts');
    const extension = vscode.extensions.getExtension<OptimizerLabApi>(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not installed`);
    api = await extension.activate();
    assert.ok(vscode.workspace.isTrusted, 'the suite needs a trusted workspace');
  });

  after(async () => {
    if (api.live.isLive(doc.uri.fsPath)) await vscode.commands.executeCommand('optimizerLab.toggleLive', doc.uri);
    await vscode.commands.executeCommand('optimizerLab.stop');
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('shows the lenses above the objective', async () => {
    const found = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri, 10);
    const titles = found.map((l) => l.command?.title ?? '');
    assert.ok(titles.some((t) => t.startsWith('▶ Run (')), titles.join(' | '));
    assert.ok(titles.includes('Compare') && titles.includes('Hessian') && titles.includes('Landscape'), titles.join(' | '));
  });

  it('runs from the command: the loss goes down', async () => {
    const ids = await vscode.commands.executeCommand<string[]>('optimizerLab.run', doc.uri, 'rosenbrock', { optimizer: 'adam', lr: 0.02, steps: 300 });
    assert.equal(ids.length, 1);
    const loss = await waitFor('the run to finish', () => finalLoss(api, ids[0]));
    const run = api.controller.state.run(ids[0]);
    assert.ok(run && run.steps.length === 300, `steps: ${run?.steps.length}`);
    assert.ok(loss < run.steps[0].loss, `final ${loss} vs first ${run.steps[0].loss}`);
  });

  it('runs from the ▶ Run lens, and the lens then carries the result', async () => {
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri, 10);
    const runLens = lenses.find((l) => l.command?.title.startsWith('▶ Run ('));
    assert.ok(runLens?.command);
    const ids = await vscode.commands.executeCommand<string[]>(runLens.command.command, ...(runLens.command.arguments ?? []));
    await waitFor('the lens run to finish', () => finalLoss(api, ids[0]) !== undefined);
    const again = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri, 10);
    const title = again.find((l) => l.command?.title.startsWith('▶ Run ('))?.command?.title ?? '';
    assert.match(title, /after \d+ steps/);
  });

  it('live mode: an edit re-runs and leaves the previous run as a ghost; a syntax error goes to the Problems panel and clears when fixed', async () => {
    const on = await vscode.commands.executeCommand<boolean>('optimizerLab.toggleLive', doc.uri);
    assert.equal(on, true);
    const v0 = api.controller.state.version;
    await waitFor('the first live run', () => api.controller.state.version > v0 && api.controller.state.allRuns().some((r) => r.done));
    const v1 = api.controller.state.version;
    await replaceText(doc, '.mul(100)', '.mul(10)');
    await waitFor('a re-run after the edit', () => api.controller.state.version > v1 && api.controller.state.allRuns().some((r) => r.done));
    const snapshot = api.controller.state.snapshot();
    assert.ok(snapshot.type === 'snapshot' && snapshot.ghosts.length > 0, 'the previous version is kept as a ghost');

    const v2 = api.controller.state.version;
    await replaceText(doc, 'const x = p.gather(0);', 'const x = p.gather(0;');
    const diagnostics = await waitFor('the syntax error in the Problems panel', () => {
      const d = vscode.languages.getDiagnostics(doc.uri).filter((x) => x.source === 'Optimizer Lab');
      return d.length > 0 ? d : undefined;
    });
    assert.equal(diagnostics[0].range.start.line, doc.getText().split('\n').findIndex((l) => l.includes('p.gather(0;')));
    assert.equal(api.controller.state.version, v2, 'the last good plots stay');
    assert.ok(api.controller.state.banner, 'the dashboard shows a banner');

    await replaceText(doc, 'const x = p.gather(0;', 'const x = p.gather(0);');
    await waitFor('the problem to clear', () => vscode.languages.getDiagnostics(doc.uri).every((x) => x.source !== 'Optimizer Lab'));
    await waitFor('the fixed code to run', () => api.controller.state.version > v2);
    assert.equal(api.controller.state.banner, null);
  });
});
