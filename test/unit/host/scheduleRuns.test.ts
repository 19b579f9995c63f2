/**
 * Runs with a workspace schedule function from the dashboard: the field's FILE#NAME becomes the
 * request's scheduleFile (against the fake `vscode` and a fake runner), and that request shape runs
 * in the real runner (in process) with the lrs the function gives.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type * as Commands from '../../../src/host/commands';
import { optimizerCatalog } from '../../../src/core/optimizers/catalog';
import { BuiltInOptimizers } from '../../../src/host/builtInOptimizers';
import { findSites } from '../../../src/host/discovery/findSites';
import { RunController } from '../../../src/host/runController';
import { DEFAULT_SETTINGS, runRequestFor, scheduleFileOf } from '../../../src/host/runSettings';
import { WorkspaceCatalog, tryTarget } from '../../../src/host/workspaceCatalog';
import { listObjectives } from '../../../src/runner/listObjectives';
import { installFakeVscode } from './fake/installFakeVscode';
import { FakeRunner, done, tick } from './fakeRunner';
import { fixture, runInProcess } from '../runner/runInProcess';
import { sitesOf } from './inProcessSites';

const vscode = installFakeVscode();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { handleDashboardMessage } = require('../../../src/host/commands') as typeof Commands;

const OBJECTIVE = "export function bowl(p) { return p.square().sum(); }\nbowl.init = [1, 2];\n";
const SCHEDULES = path.resolve(__dirname, '../../fixtures/schedules');

describe('dashboard schedule functions (FILE#NAME)', function () {
  this.timeout(60_000);
  let runner: FakeRunner;
  let ctx: Commands.CommandContext;

  beforeEach(async () => {
    vscode.workspace.workspaceFolders = [{ uri: vscode.Uri.file('/w'), name: 'w', index: 0 }];
    runner = new FakeRunner();
    const controller = new RunController(runner, () => DEFAULT_SETTINGS);
    const catalog = new WorkspaceCatalog(sitesOf);
    await catalog.update('/w/bowl.ts', OBJECTIVE);
    ctx = {
      extensionUri: vscode.Uri.file('/ext') as never, controller, live: {} as never, settings: () => DEFAULT_SETTINGS, log: () => undefined,
      showDashboard: () => undefined, refreshLenses: () => undefined, catalog, tryOn: () => tryTarget(catalog, controller.state.target),
      optimizers: new BuiltInOptimizers(async () => optimizerCatalog()), newRun: () => 'replace', sites: sitesOf,
    };
    controller.start({ file: '/w/bowl.ts', objective: 'bowl' }, [{}], 'replace');
  });

  afterEach(async () => {
    for (const r of runner.runs) r.finish(done(r.request.runId as string, 0.5));
    await tick(50);
    vscode.workspace.workspaceFolders = undefined;
    vscode.workspace.textDocuments = [];
  });

  const ask = (schedule: string) => ({ type: 'run' as const, ask: { optimizer: { id: 'sgd', lr: 0.02, hp: {} }, schedule, steps: 6 } });
  const lastRequest = () => runner.runs[runner.runs.length - 1].request;

  it('sends the field\'s FILE#NAME as scheduleFile: relative to the workspace folder or absolute, an open file\'s unsaved text; a spec stays a spec', async () => {
    await handleDashboardMessage(ctx, ask('sched/warm.ts#warmup'));
    assert.deepEqual(lastRequest().scheduleFile, { file: '/w/sched/warm.ts', name: 'warmup' });
    assert.equal(lastRequest().schedule, undefined);
    vscode.workspace.textDocuments = [new vscode.FakeDocument(vscode.Uri.file('/elsewhere/decay.ts'), 'export const decay = (step: number, lr: number) => lr;')];
    await handleDashboardMessage(ctx, ask('/elsewhere/decay.ts#decay'));
    assert.deepEqual(lastRequest().scheduleFile, { file: '/elsewhere/decay.ts', name: 'decay', text: 'export const decay = (step: number, lr: number) => lr;' });
    // A multi-root label ('other/…' in the second folder) is the listed function's file, not the first folder's.
    ctx.controller.setSchedules([{ name: 'tail', file: '/x/other/tail.ts', label: 'other/tail.ts', form: 'factor' }]);
    await handleDashboardMessage(ctx, ask('other/tail.ts#tail'));
    assert.deepEqual(lastRequest().scheduleFile, { file: '/x/other/tail.ts', name: 'tail' });
    await handleDashboardMessage(ctx, ask('cosine:T_max=100'));
    assert.equal(lastRequest().schedule, 'cosine:T_max=100');
    assert.equal(lastRequest().scheduleFile, undefined);
  });

  it('the host\'s request runs in the runner: halving(step) = 0.5^floor(step/2) on lr 0.02, unsaved text included', async () => {
    const resolve = (f: string): string => path.join(SCHEDULES, f);
    const unsaved = 'export function third(step: number): number { return step >= 3 ? 0.5 : 1; }\n';
    const cases = [
      { field: 'schedules.ts#halving', text: undefined, expected: [0, 1, 2, 3, 4, 5].map((k) => 0.02 * 0.5 ** Math.floor(k / 2)) },
      { field: 'unsaved.ts#third', text: unsaved, expected: [0.02, 0.02, 0.02, 0.01, 0.01, 0.01] },
    ];
    for (const c of cases) {
      const scheduleFile = scheduleFileOf(c.field, resolve, () => c.text);
      const request = runRequestFor(DEFAULT_SETTINGS, { file: fixture('single.ts') }, { optimizer: 'sgd', lr: 0.02, steps: 6, scheduleFile }, 'r');
      const r = await runInProcess({ ...request, landscape: false, curvatureEvery: 0 });
      assert.equal(r.error, undefined, r.error?.message);
      r.steps.forEach((s, k) => assert.ok(Math.abs(s.lr - c.expected[k]) < 1e-12, `${c.field} step ${k}: ${s.lr}`));
      assert.equal(r.steps.length, 6);
      assert.equal(r.leaked, 0);
    }
  });

  it('a missing file or export comes back as the runner\'s schedule error', async () => {
    const resolve = (f: string): string => path.join(SCHEDULES, f);
    const messages = [`schedule file not found: ${resolve('missing.ts')}`, /^no schedule function named 'nope' in .*schedules\.ts; schedule functions: halving, decay/];
    for (const [k, field] of ['missing.ts#warm', 'schedules.ts#nope'].entries()) {
      const request = runRequestFor(DEFAULT_SETTINGS, { file: fixture('single.ts') }, { steps: 3, scheduleFile: scheduleFileOf(field, resolve) }, 'r');
      const r = await runInProcess({ ...request, landscape: false });
      assert.equal(r.error?.kind, 'schedule', `${field}: ${r.error?.message}`);
      const expected = messages[k];
      if (typeof expected === 'string') assert.equal(r.error?.message, expected);
      else assert.match(r.error?.message ?? '', expected);
      assert.equal(r.meta, undefined, 'nothing started');
    }
  });

  it('the static scan finds every schedule function the runner lists in the fixture', async () => {
    const file = path.join(SCHEDULES, 'schedules.ts');
    const listing = await listObjectives(file, undefined, tf);
    const found = findSites(fs.readFileSync(file, 'utf8')).schedules;
    for (const s of listing.schedules) assert.deepEqual(found.find((f) => f.name === s.name), s, s.name);
  });
});
