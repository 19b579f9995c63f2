/**
 * Run sweep… and the dashboard's sweep buttons against the fake `vscode` and a fake CLI runner: the grids offered,
 * the CLI arguments each path makes (objective, optimizer, grid, steps), the result shown in the Sweep card, and
 * what a cancelled or failed sweep says.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { optimizerCatalog } from '../../../src/core/optimizers/catalog';
import { BuiltInOptimizers } from '../../../src/host/builtInOptimizers';
import type { SweepCliRunner } from '../../../src/host/sweepCli';
import type * as RunCommand from '../../../src/host/sweepRunCommand';
import type * as Compare from '../../../src/host/tunedCompareCommand';
import { DEFAULT_SETTINGS } from '../../../src/host/runSettings';
import { sweepResultSchema } from '../../../src/protocol/sweep';
import { installFakeVscode } from './fake/installFakeVscode';
import { FakeDocument } from './fake/vscode';
import { sitesOf } from './inProcessSites';

const vscode = installFakeVscode();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { gridChoices, gridSize, runSweepCommand, runSweepFromDashboard, sweepArgs } = require('../../../src/host/sweepRunCommand') as typeof RunCommand;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { compareBudget, dashboardCompareIds, tunedCompareFromDashboard } = require('../../../src/host/tunedCompareCommand') as typeof Compare;

const FILE = '/w/bowl.ts';
const SOURCE = 'import * as tf from "@tensorflow/tfjs";\nexport function bowl(x: tf.Tensor) { return tf.sum(tf.square(x)); }\nbowl.init = [1, 2];\n';

/** A sweep file as `optlab sweep --json` writes it (two runs, the schema's fields). */
function sweepJson(optimizer: string): string {
  const run = (trial: number, lr: number) => ({ trial, point: { lr: String(lr) }, lr, hp: {}, seed: 0, status: 'completed', stepsDone: 5, final: { loss: lr, gradNorm: 1 }, steps: [{ step: 5, loss: lr }] });
  return JSON.stringify(sweepResultSchema.parse({
    objective: 'bowl', file: FILE, optimizer: { id: optimizer }, steps: 5, mode: 'grid', space: [{ name: 'lr', kind: 'list', values: ['0.1', '0.01'] }],
    workers: 1, wallMs: 3, runs: [run(0, 0.1), run(1, 0.01)], best: null,
  }));
}

/** A fake CLI: records its calls, writes a sweep file where --json says (unless `fails`), exits with `code`. */
function fakeCli(outcome: { code: number | null; writes: boolean }) {
  const calls: { args: readonly string[]; cwd: string; title: string }[] = [];
  const run: SweepCliRunner = (args, cwd, title) => {
    calls.push({ args, cwd, title });
    const optimizer = args.includes('--optimizer') ? args[args.indexOf('--optimizer') + 1] : 'adam,sgd';
    if (outcome.writes) fs.writeFileSync(args[args.indexOf('--json') + 1], sweepJson(optimizer));
    return Promise.resolve({ code: outcome.code, stderr: outcome.code === 0 ? [] : ['optlab: interrupted: the runs that finished are kept'] });
  };
  return { run, calls };
}

const flag = (args: readonly string[], name: string): string[] => args.flatMap((a, i) => (a === name ? [args[i + 1]] : []));

describe('Run sweep… and the dashboard\'s sweep buttons (host)', () => {
  const errors: string[] = [];
  const picks: string[][] = [];
  let shown = 0;
  let answers: ((items: { label: string }[]) => unknown)[] = [];
  const window = vscode.window as unknown as Record<string, unknown>;
  const saved = { showQuickPick: window.showQuickPick, showErrorMessage: window.showErrorMessage, showInputBox: window.showInputBox };

  const context = (cli: ReturnType<typeof fakeCli>, extra: Partial<RunCommand.SweepRunContext> = {}): RunCommand.SweepRunContext => ({
    extensionUri: vscode.Uri.file('/ext') as never, settings: () => ({ ...DEFAULT_SETTINGS, steps: 40 }), optimizers: new BuiltInOptimizers(async () => optimizerCatalog()),
    sites: sitesOf, showDashboard: () => shown++, log: () => undefined, runCli: cli.run, ...extra,
  });

  beforeEach(() => {
    errors.length = 0;
    picks.length = 0;
    shown = 0;
    answers = [];
    // Each quick pick takes the next scripted answer (by label), recording the labels it offered.
    window.showQuickPick = (items: (string | { label: string })[]) => {
      const asItems = items.map((i) => (typeof i === 'string' ? { label: i } : i));
      picks.push(asItems.map((i) => i.label));
      const answer = answers.shift()?.(asItems);
      return Promise.resolve(typeof items[0] === 'string' && answer ? (answer as { label: string }).label : answer);
    };
    window.showErrorMessage = (m: string) => {
      errors.push(m);
      return Promise.resolve(undefined);
    };
    window.showInputBox = (o: { value?: string }) => Promise.resolve(o.value);
    window.activeTextEditor = { document: new FakeDocument(vscode.Uri.file(FILE), SOURCE) };
  });
  after(() => {
    Object.assign(window, saved);
    window.activeTextEditor = undefined;
  });

  const label = (text: string) => (items: { label: string }[]) => items.find((i) => i.label.startsWith(text));

  it('offers the lr on a log grid around the optimizer\'s default first, momentum too where the optimizer has it', () => {
    const adam = gridChoices(optimizerCatalog().find((o) => o.id === 'adam'));
    assert.deepEqual(adam[0].grids, ['lr=0.00001:0.01:log:16']);
    assert.equal(gridSize(adam[0].grids), 16);
    assert.ok(!adam.some((c) => c.grids.some((g) => g.startsWith('momentum'))));
    const sgd = gridChoices(optimizerCatalog().find((o) => o.id === 'sgd'));
    assert.deepEqual(sgd[sgd.length - 1].grids, ['lr=0.0001:0.01:log:5', 'momentum=0,0.5,0.9']);
    assert.equal(gridSize(sgd[sgd.length - 1].grids), 15);
    assert.equal(gridSize(['lr=0:1:log:4']), undefined, 'a log range from 0 does not parse');
    assert.equal(gridSize(['lr']), undefined);
  });

  it('the palette: objective, optimizer (the default first), grid -> the CLI sweep, shown in the Sweep card', async () => {
    const cli = fakeCli({ code: 0, writes: true });
    answers = [label('sgd'), label('lr 0.0001 … 0.01 (5, log) × momentum')];
    assert.equal(await runSweepCommand(context(cli)), true);
    assert.equal(picks[0][0], DEFAULT_SETTINGS.defaultOptimizer, 'the default optimizer is offered first');
    const { args, cwd, title } = cli.calls[0];
    assert.deepEqual(args.slice(0, 4), ['sweep', FILE, '--objective', 'bowl']);
    assert.deepEqual(flag(args, '--optimizer'), ['sgd']);
    assert.deepEqual(flag(args, '--grid'), ['lr=0.0001:0.01:log:5', 'momentum=0,0.5,0.9']);
    assert.deepEqual(flag(args, '--steps'), ['40']);
    assert.equal(cwd, '/w');
    assert.match(title, /15 configurations × 40 steps/);
    assert.equal(shown, 1);
    assert.deepEqual(errors, []);
  });

  it('a sweep cancelled before it wrote its file says why and shows nothing', async () => {
    const cli = fakeCli({ code: 130, writes: false });
    answers = [label('adam'), (items) => items[0]];
    assert.equal(await runSweepCommand(context(cli)), false);
    assert.equal(shown, 0);
    assert.match(errors[0], /the sweep failed: optlab: interrupted/);
  });

  it('the dashboard\'s Sweep lr…: its objective and steps, the menu\'s rule as FILE#NAME, only a rule the workspace exports', async () => {
    const cli = fakeCli({ code: 0, writes: true });
    const ask = { type: 'runSweep' as const, optimizer: { id: 'lion', rule: { file: '/w/rules.ts' } }, steps: 7 };
    assert.equal(await runSweepFromDashboard(context(cli, { hasRule: () => false }), { file: FILE, objective: 'bowl' }, ask), false);
    assert.equal(cli.calls.length, 0);
    answers = [(items) => items[0]];
    assert.equal(await runSweepFromDashboard(context(cli, { hasRule: (f, n) => f === '/w/rules.ts' && n === 'lion' }), { file: FILE, objective: 'bowl' }, ask), true);
    assert.deepEqual(flag(cli.calls[0].args, '--optimizer'), ['/w/rules.ts#lion']);
    assert.deepEqual(flag(cli.calls[0].args, '--steps'), ['7']);
    assert.deepEqual(sweepArgs(FILE, 'bowl', { id: 'adam' }, ['lr=0.1,0.2'], 3, '/t/s.json'), ['sweep', FILE, '--objective', 'bowl', '--optimizer', 'adam', '--grid', 'lr=0.1,0.2', '--steps', '3', '--json', '/t/s.json']);
  });

  it('the dashboard\'s Compare (tuned): its built-in optimizers and steps, the budget each gets in the progress title', async () => {
    assert.deepEqual(dashboardCompareIds(['adam', 'myRule', 'sgd', 'adam'], ['sgd', 'adam', 'lion']), ['adam', 'sgd']);
    assert.equal(compareBudget('lr=1e-5:1:log:11', 500), '11 configurations × 500 steps = 5,500 steps for each optimizer\'s tuning, then its best on 3 held-out seeds');
    const cli = fakeCli({ code: 0, writes: true });
    const ok = await tunedCompareFromDashboard(context(cli), { file: FILE, objective: 'bowl' }, { type: 'tunedCompare', optimizers: ['adam', 'nope', 'sgd'], steps: 25 });
    assert.equal(ok, true);
    assert.deepEqual(picks, [], 'two known optimizers: nothing to pick');
    assert.deepEqual(flag(cli.calls[0].args, '--compare'), ['adam,sgd']);
    assert.deepEqual(flag(cli.calls[0].args, '--steps'), ['25']);
    assert.match(cli.calls[0].title, /tuning adam, sgd on bowl \(11 configurations × 25 steps = 275 steps for each optimizer's tuning/);
    assert.equal(shown, 1);
    // One optimizer shown: the pick offers every built-in with it ticked.
    answers = [(items) => items.filter((i) => ['adam', 'lion'].includes(i.label))];
    await tunedCompareFromDashboard(context(cli), { file: FILE, objective: 'bowl' }, { type: 'tunedCompare', optimizers: ['adam'], steps: 25 });
    assert.ok((picks as string[][])[0].length > 2);
    assert.deepEqual(flag(cli.calls[1].args, '--compare'), ['adam,lion']);
  });

  it('without a run in the dashboard there is no objective: it says so and runs nothing', async () => {
    const cli = fakeCli({ code: 0, writes: true });
    assert.equal(await tunedCompareFromDashboard(context(cli), undefined, { type: 'tunedCompare', optimizers: ['adam', 'sgd'], steps: 5 }), false);
    assert.equal(await runSweepFromDashboard(context(cli), undefined, { type: 'runSweep', optimizer: { id: 'adam' }, steps: 5 }), false);
    assert.equal(cli.calls.length, 0);
  });
});
