import { strict as assert } from 'node:assert';
import type { RunError } from '../../../src/protocol/runner';
import { hostToWebviewSchema, type HostToWebviewInput } from '../../../src/protocol/webview';
import { optimizerCatalog } from '../../../src/core/optimizers/catalog';
import { RunController } from '../../../src/host/runController';
import { DEFAULT_SETTINGS } from '../../../src/host/runSettings';
import { FakeRunner, done, meta, step, tick, type FakeRun } from './fakeRunner';

function setup() {
  const runner = new FakeRunner();
  const controller = new RunController(runner, () => DEFAULT_SETTINGS, (file) => file.replace(/^\/w\//, ''));
  const posted: HostToWebviewInput[] = [];
  const problems: [string, readonly RunError[]][] = [];
  controller.listen({ post: (m) => posted.push(hostToWebviewSchema.parse(m)), problems: (f, e) => problems.push([f, e]) });
  return { runner, controller, posted, problems };
}

async function completeRun(r: FakeRun, loss = 0.01): Promise<void> {
  r.handlers.onStarted?.(meta('f'));
  r.handlers.onSteps?.([step(0), step(1)]);
  r.finish(done(r.request.runId as string, loss));
  await tick();
}

describe('RunController', () => {
  it('runs, batches events for the dashboard and remembers the last result per objective', async () => {
    const { runner, controller, posted } = setup();
    controller.start({ file: '/w/f.ts', objective: 'f' }, [{}], 'replace');
    assert.equal(runner.runs.length, 1);
    assert.equal(runner.runs[0].request.optimizer.id, 'adam');
    await completeRun(runner.runs[0], 0.01);
    await tick(80);
    const batches = posted.filter((m) => m.type === 'events');
    assert.equal(batches.length, 1, 'the events of one quick run arrive as one batch');
    assert.deepEqual(batches[0].type === 'events' && batches[0].events.map((e) => e.type), ['started', 'steps', 'done']);
    assert.equal(controller.lastRun('/w/f.ts', 'f')?.done?.final.loss, 0.01);
    assert.equal(controller.running, false);
  });

  it('forwards the landscape (grid or warning) to the dashboard and keeps it in the run history', async () => {
    const { runner, controller, posted } = setup();
    controller.start({ file: '/w/f.ts', objective: 'f' }, [{ landscape: true }], 'replace');
    const r = runner.runs[0];
    assert.equal(r.request.landscape, true);
    r.handlers.onStarted?.(meta('f'), '/w/f.ts');
    const grid = { kind: 'contour' as const, xs: [0, 1], ys: [0, 1], values: [[1, 2], [3, null]], axes: ['x0', 'x1'] };
    r.handlers.onLandscape?.({ grid });
    r.handlers.onLandscape?.({ warning: 'landscape not drawn: too slow' });
    r.finish(done(r.request.runId as string, 0.5));
    await tick(80);
    const events = posted.flatMap((m) => (m.type === 'events' ? m.events : []));
    assert.deepEqual(events.filter((e) => e.type === 'landscape').map((e) => e.type === 'landscape' && (e.grid?.kind ?? e.warning)), ['contour', 'landscape not drawn: too slow']);
    const run = controller.state.run(r.request.runId as string);
    assert.deepEqual(run?.landscape, grid);
    assert.equal(run?.landscapeWarning, 'landscape not drawn: too slow');
    assert.equal(run?.file, '/w/f.ts');
  });

  it('replace drops the current runs and sends a snapshot first; add keeps them', async () => {
    const { runner, controller, posted } = setup();
    controller.start({ file: '/w/f.ts' }, [{}], 'replace');
    await completeRun(runner.runs[0]);
    controller.start({ file: '/w/f.ts' }, [{ optimizer: 'sgd' }], 'add');
    assert.equal(controller.state.allRuns().length, 2);
    posted.length = 0;
    controller.start({ file: '/w/f.ts' }, [{ optimizer: 'lbfgs' }], 'replace');
    assert.equal(runner.runs[1].cancelled, true, 'the running comparison was stopped');
    assert.equal(posted[0].type, 'snapshot');
    assert.equal(controller.state.allRuns().length, 1);
  });

  it('live: a compile error keeps the plots, shows a banner and a problem; the fix adopts the new version with ghosts', async () => {
    const { runner, controller, posted, problems } = setup();
    controller.start({ file: '/w/f.ts', objective: 'f' }, [{ optimizer: 'sgd', lr: 0.05 }], 'replace');
    await completeRun(runner.runs[0]);
    // Broken edit.
    controller.rerun({ file: '/w/f.ts', objective: 'f', text: 'broken' }, {});
    const broken = runner.runs[1];
    assert.equal(broken.request.text, 'broken');
    assert.deepEqual(broken.request.optimizer, { id: 'sgd', lr: 0.05, hp: {} }, 'the dashboard\'s run is re-run with its own choice');
    const error: RunError = { kind: 'compile', message: 'Expected ";"', file: '/w/f.ts', line: 3, column: 7 };
    broken.finish({ kind: 'error', error });
    await tick();
    assert.equal(controller.state.version, 0, 'no new version on a compile error');
    assert.equal(controller.state.allRuns()[0].done?.status, 'completed', 'the last good run stays');
    assert.deepEqual(posted.filter((m) => m.type === 'banner').map((m) => m.type === 'banner' && m.banner?.line), [3]);
    assert.equal(controller.state.banner?.file, 'f.ts', 'the banner names the file relative to the workspace');
    assert.deepEqual(problems[problems.length - 1], ['/w/f.ts', [error]]);
    // Fixed edit.
    controller.rerun({ file: '/w/f.ts', objective: 'f', text: 'fixed' }, {});
    await completeRun(runner.runs[2]);
    assert.equal(controller.state.version, 1);
    const snap = controller.state.snapshot();
    assert.equal(snap.type === 'snapshot' && snap.ghosts.length, 1, 'the previous version is the ghost');
    assert.ok(posted.some((m) => m.type === 'liveVersion' && m.version === 1));
    assert.ok(posted.some((m) => m.type === 'banner' && m.banner === null), 'the banner clears');
    assert.deepEqual(problems[problems.length - 1], ['/w/f.ts', []], 'the problem clears');
  });

  it('live: a new edit cancels the in-flight run without reporting the cancel as an error', async () => {
    const { runner, controller, posted } = setup();
    controller.rerun({ file: '/w/f.ts', text: 'v1' }, { optimizer: 'adam' });
    runner.runs[0].handlers.onStarted?.(meta('f'));
    controller.rerun({ file: '/w/f.ts', text: 'v2' }, { optimizer: 'adam' });
    await tick();
    assert.equal(runner.runs[0].cancelled, true);
    assert.equal(runner.runs.length, 2);
    assert.equal(runner.runs[1].request.text, 'v2');
    assert.equal(posted.filter((m) => m.type === 'banner').length, 0);
  });

  it('a runtime error after the start goes to the banner and the Problems panel', async () => {
    const { runner, controller, problems } = setup();
    controller.start({ file: '/w/f.ts' }, [{}], 'replace');
    runner.runs[0].handlers.onStarted?.(meta('f'));
    const error: RunError = { kind: 'threw', message: 'boom', file: '/w/f.ts', line: 5, column: 3 };
    runner.runs[0].finish({ kind: 'error', error });
    await tick();
    assert.equal(controller.state.banner?.message, 'boom');
    assert.deepEqual(problems[problems.length - 1], ['/w/f.ts', [error]]);
    assert.match(controller.lastRun('/w/f.ts', 'f')?.error?.message ?? '', /boom/);
  });
  it('repeat with N seeds: runs the same configuration with seeds s+1 … s+N−1 as one group, the run itself being seed s', async () => {
    const { runner, controller, posted } = setup();
    const target = { file: '/w/f.ts', objective: 'noisy' };
    const [first] = controller.start(target, [{ optimizer: 'sgd', lr: 0.05, seed: 7, steps: 40 }], 'replace');
    runner.runs[0].handlers.onStarted?.({ ...meta('noisy'), seed: 7 });
    runner.runs[0].handlers.onSteps?.([step(0), step(1)]);
    runner.runs[0].finish(done(first, 0.3));
    await tick();
    posted.length = 0;
    const ids = controller.repeat(first, 4);
    assert.equal(ids.length, 3);
    const requests = runner.runs.slice(1).map((r) => r.request);
    assert.deepEqual(requests.map((r) => r.seed), [8, 9, 10]);
    for (const r of requests) {
      assert.deepEqual(r.optimizer, { id: 'sgd', lr: 0.05, hp: {} });
      assert.equal(r.steps, 40);
      assert.equal(r.objective, 'noisy');
    }
    // Pending events of the first run go out first, then the snapshot that announces the group.
    assert.deepEqual(posted.map((m) => m.type), ['events', 'snapshot']);
    const snap = posted[1].type === 'snapshot' ? posted[1] : undefined;
    const groups = snap?.runs.map((r) => r.group);
    assert.equal(new Set(groups).size, 1, 'the original and the three new runs share one group');
    assert.equal(snap?.runs.length, 4);
    assert.ok(groups?.[0]);
    // The group travels with the started event too (a live re-run gets new run ids).
    runner.runs[1].handlers.onStarted?.({ ...meta('noisy'), seed: 8 });
    await tick(80);
    const started = posted.slice(2).flatMap((m) => (m.type === 'events' ? m.events : [])).find((e) => e.type === 'started');
    assert.equal(started?.type === 'started' && started.group, groups?.[0]);
    // Repeating a member of the group keeps the group and counts from that member's seed.
    controller.repeat(ids[0], 2);
    assert.equal(runner.runs[runner.runs.length - 1].request.seed, 9);
    assert.equal(controller.state.allRuns().filter((r) => r.group === groups?.[0]).length, 5);
    assert.deepEqual(controller.repeat('no-such-run', 3), []);
  });

  it('sends the dashboard a snapshot with the built-in optimizers once their catalogue is read', () => {
    const { controller, posted } = setup();
    const before = hostToWebviewSchema.parse(controller.snapshot());
    assert.deepEqual(before.type === 'snapshot' && before.optimizers, [], 'empty before');
    const catalog = optimizerCatalog();
    controller.setOptimizers(catalog);
    const last = posted[posted.length - 1];
    assert.equal(last.type, 'snapshot');
    assert.deepEqual(last.type === 'snapshot' && last.optimizers?.map((o) => o.id), catalog.map((o) => o.id));
  });

  it('snapshots carry the settings as the controls\' starting values', () => {
    const runner = new FakeRunner();
    const settings = { ...DEFAULT_SETTINGS, defaultOptimizer: 'sgd', learningRate: 0.2, steps: 120, schedule: 'cosine(120)' };
    const controller = new RunController(runner, () => settings);
    const snap = hostToWebviewSchema.parse(controller.snapshot());
    assert.deepEqual(snap.type === 'snapshot' && snap.defaults, { optimizer: 'sgd', lr: 0.2, schedule: 'cosine(120)', steps: 120 });
    const plain = hostToWebviewSchema.parse(new RunController(runner, () => DEFAULT_SETTINGS).snapshot());
    assert.deepEqual(plain.type === 'snapshot' && plain.defaults, { optimizer: 'adam', schedule: '', steps: 500 }, 'no lr setting: the optimizer\'s default');
  });
});
