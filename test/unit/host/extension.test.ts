/** The thin vscode adapter, against the fake `vscode` module. */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as Extension from '../../../src/extension';
import { installFakeVscode } from './fake/installFakeVscode';

const vscode = installFakeVscode();
// Imported after the fake is installed (require, so the order is explicit).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { activate } = require('../../../src/extension') as typeof Extension;

interface LensLike { range: { start: { line: number } }; command?: { title: string; command: string; arguments?: unknown[] } }
interface LensProviderLike { provideCodeLenses(d: unknown): Promise<LensLike[]> }
interface QuickFixLike { provideCodeActions(d: unknown, r: unknown, c: unknown): { title: string; command?: { command: string } }[] }

const root = path.join(__dirname, '../../..');
const packageJson = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  activationEvents: string[];
  contributes: { commands: { command: string; category: string }[] };
  capabilities: { untrustedWorkspaces: { supported: string | boolean; description?: string } };
};

describe('extension activation (fake vscode)', () => {
  const subscriptions: { dispose(): void }[] = [];
  before(() => {
    activate({ subscriptions, extensionUri: vscode.Uri.file(root) } as never);
  });
  after(() => subscriptions.forEach((d) => d.dispose()));

  it('registers every contributed command and only those', () => {
    const contributed = packageJson.contributes.commands.map((c) => c.command).sort();
    assert.deepEqual([...vscode.registry.commands.keys()].sort(), contributed);
    assert.ok(packageJson.contributes.commands.every((c) => c.category === 'Optimizer Lab'));
  });

  it('activates lazily and declares Workspace Trust', () => {
    assert.equal(packageJson.activationEvents.includes('*'), false);
    assert.ok(packageJson.activationEvents.includes('onLanguage:typescript'));
    assert.ok(packageJson.activationEvents.includes('onWebviewPanel:optimizerLab.dashboard'));
    assert.equal(packageJson.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.ok(vscode.registry.serializers.has('optimizerLab.dashboard'));
  });

  it('registers every disposable on the context, and does not start the runner', () => {
    assert.ok(subscriptions.length >= vscode.registry.commands.size + 8);
    assert.ok(vscode.registry.output.some((l) => /activated/.test(l)));
    assert.equal(vscode.registry.output.some((l) => /starting the runner/.test(l)), false);
  });

  /** The lenses once the discovery worker (dist/discoveryWorker.js, built by npm run build) reads the text. */
  const titlesOf = async (provider: LensProviderLike, doc: unknown): Promise<string[]> => (await provider.provideCodeLenses(doc)).map((l) => l.command?.title ?? '');
  const until = async (what: string, check: () => Promise<boolean>): Promise<void> => {
    for (let k = 0; k < 600; k++) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.fail(`timed out waiting for ${what}`);
  };

  it('puts the lenses above each objective, with the default optimizer', async () => {
    const provider = vscode.registry.codeLensProviders[0] as LensProviderLike;
    const text = fs.readFileSync(path.join(root, 'examples/rosenbrock.ts'), 'utf8');
    const doc = new vscode.FakeDocument(vscode.Uri.file('/w/rosenbrock.ts'), text);
    vscode.workspace.configuration = { defaultOptimizer: 'lbfgs' };
    const lenses = await provider.provideCodeLenses(doc);
    assert.deepEqual(lenses.map((l) => l.command?.title), ['▶ Run (lbfgs)', 'Compare', 'Hessian', 'Landscape', 'Find lr']);
    assert.equal(text.split('\n')[lenses[0].range.start.line].startsWith('export function rosenbrock'), true);
    assert.deepEqual(lenses[0].command?.arguments?.[1], 'rosenbrock');
    vscode.workspace.configuration = {};
  });

  it('puts ▶ Try on <objective> and Compare with adam above a rule, once the workspace scan found an objective', async () => {
    const provider = vscode.registry.codeLensProviders[1] as LensProviderLike;
    const text = "import type { OptimizerRule } from 'optimizer-lab';\nexport const lion: OptimizerRule = {\n  defaults: { lr: 1e-4 },\n  init: (p) => ({}),\n  update: (g, s, p) => ({ param: p, state: s }),\n};\n";
    const doc = new vscode.FakeDocument(vscode.Uri.file('/w/lion.ts'), text);
    assert.deepEqual(await titlesOf(provider, doc), ['▶ Try (no objective in the workspace yet)']);
    // A new objective file on disk: the watcher's event reaches the catalog, the lenses follow.
    vscode.files.set('/w/bowl.ts', 'export function bowl(p) { return p.sum(); }\nbowl.init = [1];\n');
    vscode.watcher.created.fire(vscode.Uri.file('/w/bowl.ts'));
    await until('the scan to find bowl', async () => (await titlesOf(provider, doc))[0] === '▶ Try on bowl');
    const lenses = await provider.provideCodeLenses(doc);
    assert.deepEqual(lenses.map((l) => l.command?.title), ['▶ Try on bowl', 'Compare with adam']);
    assert.equal(lenses[0].range.start.line, 1);
    assert.deepEqual(lenses.map((l) => [l.command?.command, l.command?.arguments?.[1]]), [['optimizerLab.tryRule', 'lion'], ['optimizerLab.compareRule', 'lion']]);
    vscode.watcher.deleted.fire(vscode.Uri.file('/w/bowl.ts'));
    vscode.files.delete('/w/bowl.ts');
    assert.deepEqual(await titlesOf(provider, doc), ['▶ Try (no objective in the workspace yet)'], 'the objective is gone again');
  });

  it('explains instead of running in an untrusted workspace', async () => {
    const provider = vscode.registry.codeLensProviders[0] as LensProviderLike;
    vscode.workspace.isTrusted = false;
    try {
      const doc = new vscode.FakeDocument(vscode.Uri.file('/w/a.ts'), 'export function a(p) { return p; }\na.init = [1];\n');
      const lenses = await provider.provideCodeLenses(doc);
      assert.equal(lenses.length, 1);
      assert.match(lenses[0].command?.title ?? '', /trust/);
      const result = await vscode.commands.executeCommand('optimizerLab.runObjective', doc.uri, 'a');
      assert.deepEqual(result, []);
      assert.match(vscode.registry.messages[vscode.registry.messages.length - 1], /only runs in a trusted workspace/);
    } finally {
      vscode.workspace.isTrusted = true;
    }
  });

  it('offers the type setup as a quick fix on an unresolved TensorFlow.js import only', () => {
    const fix = vscode.registry.codeActionProviders[0] as QuickFixLike;
    const diag = (message: string, code: number) => Object.assign(new vscode.Diagnostic(new vscode.Range(0, 0, 0, 1), message), { code });
    const actions = fix.provideCodeActions({}, {}, { diagnostics: [diag("Cannot find module '@tensorflow/tfjs' or its corresponding type declarations.", 2307)] });
    assert.equal(actions.length, 1);
    assert.equal(actions[0].command?.command, 'optimizerLab.setUpTypes');
    assert.deepEqual(fix.provideCodeActions({}, {}, { diagnostics: [diag("Cannot find module 'lodash'.", 2307)] }), []);
  });
});
