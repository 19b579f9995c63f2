/** The rule lenses' commands and New optimizer file, against the fake `vscode` and a fake runner. */
import { strict as assert } from 'node:assert';
import type * as Commands from '../../../src/host/commands';
import type * as RuleCommands from '../../../src/host/ruleCommands';
import { optimizerCatalog } from '../../../src/core/optimizers/catalog';
import { BuiltInOptimizers } from '../../../src/host/builtInOptimizers';
import { findSites } from '../../../src/host/discovery/findSites';
import { RunController } from '../../../src/host/runController';
import { DEFAULT_SETTINGS } from '../../../src/host/runSettings';
import { WorkspaceCatalog, tryTarget } from '../../../src/host/workspaceCatalog';
import { installFakeVscode } from './fake/installFakeVscode';
import { FakeRunner, done, meta, tick } from './fakeRunner';
import { LION_RULE } from './ruleFixtures';
import { sitesOf } from './inProcessSites';

const vscode = installFakeVscode();
/* eslint-disable @typescript-eslint/no-require-imports */
const { registerRuleCommands } = require('../../../src/host/ruleCommands') as typeof RuleCommands;
const { handleDashboardMessage } = require('../../../src/host/commands') as typeof Commands;
/* eslint-enable @typescript-eslint/no-require-imports */

const RULE_FILE = '/w/rules/lion.ts';
const OBJECTIVE = "export function bowl(p) { return p.square().sum(); }\nbowl.init = [1, 2];\n";

describe('optimizer rule commands', () => {
  let runner: FakeRunner;
  let controller: RunController;
  let catalog: WorkspaceCatalog;
  let disposables: { dispose(): void }[];
  let ctx: Commands.CommandContext;

  beforeEach(async () => {
    vscode.files.clear();
    vscode.files.set('/w/bowl.ts', OBJECTIVE);
    vscode.files.set(RULE_FILE, LION_RULE);
    vscode.workspace.workspaceFolders = [{ uri: vscode.Uri.file('/w'), name: 'w', index: 0 }];
    vscode.registry.messages.length = 0;
    runner = new FakeRunner();
    controller = new RunController(runner, () => DEFAULT_SETTINGS);
    catalog = new WorkspaceCatalog(sitesOf);
    await catalog.update('/w/bowl.ts', OBJECTIVE);
    await catalog.update(RULE_FILE, LION_RULE);
    ctx = {
      extensionUri: vscode.Uri.file('/ext') as never, controller, live: {} as never, settings: () => DEFAULT_SETTINGS, log: () => undefined,
      showDashboard: () => undefined, refreshLenses: () => undefined, catalog, tryOn: () => tryTarget(catalog, controller.state.target),
      optimizers: new BuiltInOptimizers(async () => optimizerCatalog()), newRun: () => 'replace', sites: sitesOf,
    };
    disposables = registerRuleCommands(ctx);
  });

  afterEach(async () => {
    // Finish every run so the progress notification's poll stops.
    for (const r of runner.runs) r.finish(done(r.request.runId as string, 0.5));
    await tick(150);
    disposables.forEach((d) => d.dispose());
    vscode.workspace.workspaceFolders = undefined;
    vscode.window.activeTextEditor = undefined;
  });

  it('▶ Try runs the rule, with its unsaved text, on the first objective of the workspace', async () => {
    const unsaved = LION_RULE.replace('0.99', '0.98');
    vscode.workspace.textDocuments = [new vscode.FakeDocument(vscode.Uri.file(RULE_FILE), unsaved)];
    try {
      const ids = await vscode.commands.executeCommand('optimizerLab.tryRule', vscode.Uri.file(RULE_FILE), 'lion') as string[];
      assert.equal(ids.length, 1);
      const request = runner.runs[0].request;
      assert.equal(request.file, '/w/bowl.ts');
      assert.equal(request.objective, 'bowl');
      assert.deepEqual(request.optimizer, { id: 'lion', rule: { file: RULE_FILE, text: unsaved }, hp: {} });
    } finally {
      vscode.workspace.textDocuments = [];
    }
  });

  it('Compare with adam runs the rule and the built-in adam side by side on the objective run last', async () => {
    vscode.files.set('/w/other.ts', 'export function other(p) { return p.sum(); }\nother.init = [3];\n');
    await catalog.update('/w/other.ts', vscode.files.get('/w/other.ts') as string);
    controller.start({ file: '/w/other.ts', objective: 'other' }, [{}], 'replace');
    runner.runs[0].handlers.onStarted?.(meta('other'));
    runner.runs[0].finish(done(runner.runs[0].request.runId as string, 1));
    await tick();
    await vscode.commands.executeCommand('optimizerLab.compareRule', vscode.Uri.file(RULE_FILE), 'lion');
    const [ruleRun, adam] = runner.runs.slice(1).map((r) => r.request);
    assert.deepEqual([ruleRun.objective, ruleRun.optimizer.id, ruleRun.optimizer.rule?.file], ['other', 'lion', RULE_FILE]);
    assert.deepEqual([adam.objective, adam.optimizer.id, adam.optimizer.rule], ['other', 'adam', undefined]);
    assert.equal(controller.state.allRuns().length, 2, 'the two replace the earlier run');
  });

  it('says so, and runs nothing, when the workspace has no objective', async () => {
    catalog.remove('/w/bowl.ts');
    const ids = await vscode.commands.executeCommand('optimizerLab.tryRule', vscode.Uri.file(RULE_FILE), 'lion');
    assert.deepEqual(ids, []);
    assert.equal(runner.runs.length, 0);
    assert.match(vscode.registry.messages[vscode.registry.messages.length - 1], /no objective to try lion on/);
  });

  it('the dashboard runs a rule the workspace exports (with its unsaved text) and refuses one it does not', async () => {
    controller.start({ file: '/w/bowl.ts', objective: 'bowl' }, [{}], 'replace');
    const ask = (file: string, id: string) => ({ type: 'run' as const, ask: { optimizer: { id, rule: { file }, lr: 0.001, hp: {} }, steps: 50 } });
    await handleDashboardMessage(ctx, ask('/w/elsewhere.ts', 'lion'));
    assert.equal(runner.runs.length, 1, 'an unknown rule file is not run');
    await handleDashboardMessage(ctx, ask(RULE_FILE, 'lion'));
    const request = runner.runs[1].request;
    assert.deepEqual(request.optimizer, { id: 'lion', rule: { file: RULE_FILE }, lr: 0.001, hp: {} }, 'not open: the runner reads the file');
    assert.equal(request.steps, 50);
    vscode.workspace.textDocuments = [new vscode.FakeDocument(vscode.Uri.file(RULE_FILE), 'unsaved rule')];
    try {
      await handleDashboardMessage(ctx, ask(RULE_FILE, 'lion'));
      assert.deepEqual(runner.runs[2].request.optimizer.rule, { file: RULE_FILE, text: 'unsaved rule' });
    } finally {
      vscode.workspace.textDocuments = [];
    }
  });

  it('New optimizer file writes a Lion next to the active file, and a second one beside it', async () => {
    vscode.window.activeTextEditor = { document: new vscode.FakeDocument(vscode.Uri.file('/w/sub/bowl.ts'), OBJECTIVE) };
    const first = await vscode.commands.executeCommand('optimizerLab.newOptimizerFile') as { fsPath: string };
    const second = await vscode.commands.executeCommand('optimizerLab.newOptimizerFile') as { fsPath: string };
    assert.deepEqual([first.fsPath, second.fsPath], ['/w/sub/lion.ts', '/w/sub/lion2.ts']);
    assert.deepEqual(findSites(vscode.files.get('/w/sub/lion2.ts') as string).rules.map((r) => [r.name, r.problem]), [['lion2', undefined]]);
    assert.ok(vscode.registry.opened.includes('/w/sub/lion2.ts'), 'the new file is shown');
    assert.ok(vscode.files.has('/w/tsconfig.json'), 'the types are set up for tsc as New objective file does');
  });
});
