import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lensTitles } from '../../../src/host/lensTitles';
import { RunController } from '../../../src/host/runController';
import { RunHistory } from '../../../src/host/runHistory/runHistory';
import { RunStore, sha256 } from '../../../src/host/runHistory/runStore';
import { runTree } from '../../../src/host/runHistory/runTreeModel';
import { DEFAULT_SETTINGS } from '../../../src/host/runSettings';
import type { RunSnapshot } from '../../../src/protocol/webview';
import { FakeRunner, done, meta, step, tick, type FakeRun } from './fakeRunner';

/** One editor session: a controller on a fake runner, with the run history on `dir` and `memory` as the workspace's memory. */
function session(dir: string, memory: Map<string, readonly string[]>) {
  const runner = new FakeRunner();
  const controller = new RunController(runner, () => DEFAULT_SETTINGS);
  const warnings: string[] = [];
  const store = new RunStore({ dir, maxBytes: () => 0, warn: (m) => warnings.push(m) });
  const history = new RunHistory(store, controller, {
    shownIds: () => memory.get('shown') ?? [],
    setShownIds: (ids) => memory.set('shown', ids),
    readText: async (file) => (file === '/w/lion.ts' ? 'export const lion = {}' : undefined),
    log: () => undefined,
  });
  controller.listen(history.listener());
  const drawn = () => controller.state.allRuns().map((r) => r.meta?.optimizer.id ?? r.runId);
  return { runner, controller, history, store, warnings, drawn };
}

async function finish(r: FakeRun, optimizer: string, loss: number, objective = 'bowl'): Promise<void> {
  r.handlers.onStarted?.({ ...meta(objective), optimizer: { id: optimizer, lr: 0.1, hp: {} } }, r.request.file);
  r.handlers.onSteps?.([step(0), step(1)]);
  r.finish(done(r.request.runId as string, loss));
  await tick();
}

describe('RunHistory: runs that last', () => {
  let dir = '';
  before(async () => {
    dir = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'optlab-history-')), 'runs');
  });
  after(async () => fs.rm(path.dirname(dir), { recursive: true, force: true }));

  it('saves every run, restores the drawn ones and the lens after a reload, and deletes only on Delete', async () => {
    const memory = new Map<string, readonly string[]>();
    const first = session(dir, memory);
    const target = { file: '/w/f.ts', objective: 'bowl' };
    first.controller.start(target, [{ optimizer: 'sgd' }, { optimizer: 'lion', rule: { file: '/w/lion.ts' } }], 'add');
    await finish(first.runner.runs[0], 'sgd', 3);
    await finish(first.runner.runs[1], 'lion', 0.5);
    // A replacing run hides the two; they stay saved.
    first.controller.start(target, [{}], 'replace');
    await finish(first.runner.runs[2], 'adam', 139);
    await first.store.flushed();
    assert.deepEqual(first.drawn(), ['adam']);
    assert.equal(first.store.list().length, 3);
    assert.equal(first.store.list().find((e) => e.header.request.optimizer === 'lion')?.header.ruleHash, sha256('export const lion = {}'));
    const sgd = first.store.list().find((e) => e.header.request.optimizer === 'sgd')?.header.runId as string;
    await first.history.show([sgd]);
    assert.deepEqual(first.drawn(), ['adam', 'sgd']);
    first.controller.dispose();

    const second = session(dir, memory);
    await second.history.restore();
    assert.deepEqual(second.drawn(), ['sgd', 'adam'], 'the runs drawn before the reload, oldest first');
    const last = second.controller.lastBatch('/w/f.ts', 'bowl');
    assert.equal(lensTitles('adam', last?.runs, last?.size).run, '▶ Run (adam) · 139 after 2 steps');
    const tree = runTree(second.store.list().map((e) => e.header), { filter: '', shown: (id) => second.controller.state.isShown(id), displayPath: (f) => f, now: new Date() });
    assert.deepEqual(tree.map((o) => [o.label, o.runs.map((r) => [r.label, r.shown])]), [['bowl', [['adam lr 0.1', true], ['lion lr 0.1', false], ['sgd lr 0.1', true]]]]);

    await second.history.setPinned(sgd, true);
    await second.history.delete([sgd]);
    assert.deepEqual(second.drawn(), ['adam']);
    assert.equal((await fs.readdir(dir)).filter((f) => f.endsWith('.jsonl')).length, 2);
    assert.deepEqual([first.warnings, second.warnings], [[], []]);
  });

  it('saves a run that is no longer drawn whole, and re-runs a saved run with its effective settings', async () => {
    const memory = new Map<string, readonly string[]>();
    const s = session(path.join(dir, 'second'), memory);
    s.controller.start({ file: '/w/f.ts', objective: 'bowl' }, [{ optimizer: 'sgd', lr: 0.3, hp: { momentum: 0.9 } }], 'add');
    const r = s.runner.runs[0];
    r.handlers.onStarted?.({ ...meta('bowl'), optimizer: { id: 'sgd', lr: 0.3, hp: { momentum: 0.9 } }, seed: 4 }, '/w/f.ts');
    r.handlers.onSteps?.([step(0)]);
    await tick(60);
    // Another objective's run takes the chart; the sgd run keeps streaming into its file.
    s.controller.start({ file: '/w/g.ts', objective: 'ring' }, [{}], 'add');
    r.handlers.onSteps?.([step(1), step(2)]);
    r.finish(done(r.request.runId as string, 0.125));
    await tick();
    await s.store.flushed();
    const saved = (await s.store.read(r.request.runId as string)) as RunSnapshot;
    assert.deepEqual(saved.steps.map((x) => x.step), [0, 1, 2]);
    assert.equal(saved.done?.final.loss, 0.125);
    const origin = s.history.originOf(r.request.runId as string);
    assert.deepEqual(origin, {
      target: { file: '/w/f.ts', objective: 'bowl' },
      choice: { optimizer: 'sgd', lr: 0.3, hp: { momentum: 0.9 }, schedule: '', steps: 2, seed: 4 },
    });
    s.controller.dispose();
  });
});

describe('the Runs view model', () => {
  const header = (runId: string, objective: string, optimizer: string, status: 'completed' | 'diverged', at: string, extra = {}) => ({
    format: 'optimizer-lab-run' as const, version: 1 as const, runId, startedAt: at, state: 'final' as const,
    request: { file: '/w/f.ts', objective, optimizer, lr: 0.01 },
    summary: { objective, optimizer, lr: 0.01, status, finalLoss: status === 'completed' ? 0.00123 : null, steps: 500 },
    ...extra,
  });
  const now = new Date(2026, 11, 3, 15, 0);
  const headers = [
    header('c', 'bowl', 'adam', 'diverged', new Date(2026, 11, 3, 14, 5).toISOString(), { pinned: true, label: 'baseline' }),
    header('b', 'ring', 'sgd', 'completed', new Date(2026, 11, 2, 9, 30).toISOString()),
    header('a', 'bowl', 'lbfgs', 'completed', new Date(2026, 10, 30, 8, 0).toISOString()),
  ];
  const inputs = { filter: '', shown: (id: string) => id === 'a', displayPath: (f: string) => f.replace('/w/', ''), now };

  it('groups runs by objective, newest first, with optimizer, lr, final loss, status and time', () => {
    const tree = runTree(headers, inputs);
    assert.deepEqual(tree.map((o) => [o.label, o.description]), [['bowl', 'f.ts · 2 runs'], ['ring', 'f.ts · 1 run']]);
    assert.deepEqual(tree[0].runs.map((r) => [r.label, r.description, r.pinned, r.shown]), [
      ['baseline (adam lr 0.01)', 'diverged · 14:05', true, false],
      ['lbfgs lr 0.01', '0.00123 · completed · 2026-11-30 08:00', false, true],
    ]);
  });

  it('keeps the runs that contain every word of the filter', () => {
    const labels = (filter: string) => runTree(headers, { ...inputs, filter }).flatMap((o) => o.runs.map((r) => r.runId));
    assert.deepEqual(labels('BOWL completed'), ['a']);
    assert.deepEqual(labels('baseline'), ['c']);
    assert.deepEqual(labels('sgd ring'), ['b']);
    assert.deepEqual(labels('adam ring'), []);
  });
});
