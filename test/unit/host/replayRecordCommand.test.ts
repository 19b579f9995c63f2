/**
 * Open Replay Record against the fake `vscode` and a fake runner: the record's file is found in this
 * workspace by its trailing path, the run asked for has the recorded settings, and what differs from
 * the record (source hash at the start, final loss at the end) is said.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as Command from '../../../src/host/replayRecordCommand';
import type * as Commands from '../../../src/host/commands';
import { optimizerCatalog } from '../../../src/core/optimizers/catalog';
import { BuiltInOptimizers } from '../../../src/host/builtInOptimizers';
import { RunController } from '../../../src/host/runController';
import { DEFAULT_SETTINGS } from '../../../src/host/runSettings';
import { WorkspaceCatalog, tryTarget } from '../../../src/host/workspaceCatalog';
import { replayLink, type ReplayRecord } from '../../../src/protocol/replayRecord';
import { installFakeVscode } from './fake/installFakeVscode';
import { FakeRunner, done, meta, tick } from './fakeRunner';
import { sitesOf } from './inProcessSites';

const vscode = installFakeVscode();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { findRecordedFile, openReplayRecord } = require('../../../src/host/replayRecordCommand') as typeof Command;

const record: ReplayRecord = {
  format: 'optimizer-lab-replay', version: 1,
  objective: { name: 'bowl', file: '/home/someone/project/lessons/bowl.ts', sourceHash: 'a'.repeat(64) },
  settings: { optimizer: 'adam', lr: 0.05, hp: { betas: [0.8, 0.99] }, schedule: 'cosine:T_max=40', steps: 40, seed: 7 },
  backend: 'cpu', tfjsVersion: '4.22.0', final: { loss: 0.25, steps: 40 },
};

describe('Open Replay Record (host)', function () {
  this.timeout(30_000);
  let dir: string;
  let runner: FakeRunner;
  let ctx: Commands.CommandContext;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'open-replay-'));
    fs.mkdirSync(path.join(dir, 'lessons'));
    fs.writeFileSync(path.join(dir, 'lessons', 'bowl.ts'), 'export function bowl(p) { return p.square().sum(); }\nbowl.init = [1, 2];\n');
    vscode.workspace.workspaceFolders = [{ uri: vscode.Uri.file(dir), name: 'w', index: 0 }];
    runner = new FakeRunner();
    const controller = new RunController(runner, () => DEFAULT_SETTINGS);
    const catalog = new WorkspaceCatalog(sitesOf);
    ctx = {
      extensionUri: vscode.Uri.file('/ext') as never, controller, live: {} as never, settings: () => DEFAULT_SETTINGS, log: () => undefined,
      showDashboard: () => undefined, refreshLenses: () => undefined, catalog, tryOn: () => tryTarget(catalog, controller.state.target),
      optimizers: new BuiltInOptimizers(async () => optimizerCatalog()), newRun: () => 'replace', sites: sitesOf,
    };
    vscode.registry.messages.length = 0;
  });
  afterEach(() => {
    vscode.workspace.workspaceFolders = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('finds the file by its longest trailing path under a folder (the same absolute path first)', () => {
    const exists = (p: string) => ['/w2/project/lessons/bowl.ts', '/w1/bowl.ts', '/abs/x.ts'].includes(p);
    assert.equal(findRecordedFile('/home/someone/project/lessons/bowl.ts', ['/w1', '/w2'], exists), '/w2/project/lessons/bowl.ts');
    assert.equal(findRecordedFile('/elsewhere/bowl.ts', ['/w1'], exists), '/w1/bowl.ts');
    assert.equal(findRecordedFile('/abs/x.ts', ['/w1'], exists), '/abs/x.ts');
    assert.equal(findRecordedFile('/a/none.ts', ['/w1'], exists), undefined);
  });

  it('runs the record\'s objective with its settings and seed, then says the source changed and the final loss differs', async () => {
    const ids = await openReplayRecord(ctx, replayLink(record));
    assert.equal(ids.length, 1);
    const [run] = runner.runs;
    const req = run.request;
    assert.equal(req.file, path.join(dir, 'lessons', 'bowl.ts'));
    assert.equal(req.objective, 'bowl');
    assert.deepEqual(req.optimizer, { id: 'adam', lr: 0.05, hp: { betas: [0.8, 0.99] } });
    assert.equal(req.schedule, 'cosine:T_max=40');
    assert.equal(req.steps, 40);
    assert.equal(req.seed, 7);
    run.handlers.onStarted?.({ ...meta('bowl'), optimizer: { id: 'adam', lr: 0.05, hp: { betas: [0.8, 0.99] } }, steps: 40, seed: 7, sourceHash: 'b'.repeat(64) }, req.file);
    await tick(20);
    assert.ok(vscode.registry.messages.some((m) => /source changed since the record \(sha256 aaaaaaaaaaaa… recorded, bbbbbbbbbbbb… now\)/.test(m)), vscode.registry.messages.join('\n'));
    run.finish(done(ids[0], 0.5));
    await tick(50);
    assert.ok(vscode.registry.messages.some((m) => /final loss 0\.5 here, 0\.25 in the record/.test(m)), vscode.registry.messages.join('\n'));
  });

  it('a run that matches the record says it reproduced it', async () => {
    const ids = await openReplayRecord(ctx, JSON.stringify(record));
    const [run] = runner.runs;
    run.handlers.onStarted?.({ ...meta('bowl'), sourceHash: record.objective.sourceHash }, run.request.file);
    run.finish(done(ids[0], 0.25));
    await tick(50);
    assert.ok(vscode.registry.messages.some((m) => /the replay reproduced the record \(final loss 0\.25\)/.test(m)), vscode.registry.messages.join('\n'));
  });
});
