import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RunStore } from '../../../src/host/runHistory/runStore';
import { applyDashboardEvent } from '../../../src/protocol/runHistory';
import { dashboardEventSchema, type DashboardEvent, type RunSnapshot } from '../../../src/protocol/webview';
import { listRunFiles, readRunFile } from '../../../src/runner/runFiles/runDir';
import { INTERRUPTED_MESSAGE, eventLine, headerLine, newHeader } from '../../../src/runner/runFiles/runFileFormat';

const tmpDirs: string[] = [];
async function tmpDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'optlab-runs-'));
  tmpDirs.push(dir);
  return path.join(dir, 'runs');
}

/** A realistic event stream: 2-parameter trajectory, a long initial-parameter vector, curvature, a landscape, lr change. */
function eventsOf(runId: string, steps: number, finalLoss = 0.25): DashboardEvent[] {
  const initialParams = Array.from({ length: 100 }, (_, i) => 0.1 * i - 3);
  const records = Array.from({ length: steps }, (_, k) => ({
    step: k, loss: 1 / (k + 1), gradNorm: 2 ** -k, updateNorm: 0.1 / (k + 1), lr: k < 3 ? 0.1 : 0.05, evals: k + 1, wallMs: 1.5 * k,
    params: [Math.cos(k / 7), Math.sin(k / 7) / 3],
  }));
  const raw: unknown[] = [
    {
      type: 'started', runId, file: '/w/f.ts', meta: {
        objective: 'bowl', optimizer: { id: 'adam', lr: 0.1, hp: { betas: [0.9, 0.999] } }, paramCount: 2, paramNames: ['x', 'y'], steps,
        seed: 3, backend: 'cpu', tfjsVersion: '4.22.0', sourceHash: 'abc', schedulePreview: records.map((r) => r.lr), initialParams,
      },
    },
    { type: 'landscape', runId, grid: { kind: 'contour', xs: [0, 1, 2], ys: [0, 1], values: [[1, 2, null], [3, 4, 5]] } },
    { type: 'steps', runId, steps: records.slice(0, Math.ceil(steps / 2)) },
    { type: 'lrChanged', runId, step: 3, lr: 0.05 },
    { type: 'curvature', runId, sample: { step: 0, lambdaMax: 4, lambdaMin: 1, condition: 4, residualMax: 0, residualMin: 0, method: 'exact', eigenvalues: [1, 4] } },
    { type: 'steps', runId, steps: records.slice(Math.ceil(steps / 2)) },
    { type: 'done', runId, status: 'completed', final: { loss: finalLoss, gradNorm: 1e-9, params: [0.1, 1 / 3] }, stepsPerSecond: 100, wallMs: 7, evals: steps },
  ];
  return raw.map((e) => dashboardEventSchema.parse(e));
}

function fold(events: readonly DashboardEvent[]): RunSnapshot {
  const runs = new Map<string, RunSnapshot>();
  let run: RunSnapshot | undefined;
  for (const e of events) run = applyDashboardEvent(runs, e) ?? run;
  return run as RunSnapshot;
}

function store(dir: string, options: { maxBytes?: number; maxStepRecords?: number } = {}) {
  const warnings: string[] = [];
  const s = new RunStore({ dir, maxBytes: () => options.maxBytes ?? 0, warn: (m) => warnings.push(m), ...(options.maxStepRecords ? { maxStepRecords: options.maxStepRecords } : {}) });
  return { store: s, warnings };
}

async function record(s: RunStore, runId: string, events: readonly DashboardEvent[], finish = true): Promise<RunSnapshot> {
  const live = fold(events);
  s.begin(runId, { file: '/w/f.ts', objective: 'bowl', optimizer: 'adam', lr: 0.1 });
  for (const e of events) s.append(runId, e);
  if (finish) await s.finish(runId, live);
  await s.flushed();
  return live;
}

describe('RunStore', () => {
  after(async () => {
    for (const d of tmpDirs) await fs.rm(d, { recursive: true, force: true });
  });

  it('a saved run read back equals the live one (folding the same events), with a .gitignore beside it', async () => {
    const dir = await tmpDir();
    const { store: s, warnings } = store(dir);
    const live = await record(s, 'r1', eventsOf('r1', 40));
    const { store: reloaded } = store(dir);
    await reloaded.load();
    assert.deepEqual(await reloaded.read('r1'), live);
    const header = reloaded.get('r1')?.header;
    assert.equal(header?.state, 'final');
    assert.deepEqual(header?.summary, { objective: 'bowl', optimizer: 'adam', lr: 0.1, status: 'completed', finalLoss: 0.25, steps: 40, backend: 'cpu', seed: 3 });
    assert.equal(header?.objectiveHash, 'abc');
    assert.match(await fs.readFile(path.join(dir, '.gitignore'), 'utf8'), /^\*$/m);
    assert.deepEqual(warnings, []);
  });

  it('writes long number arrays in binary, smaller than the same file as plain JSON', async () => {
    const dir = await tmpDir();
    const { store: s } = store(dir);
    const live = await record(s, 'r1', eventsOf('r1', 400));
    const bytes = (await fs.stat(path.join(dir, 'r1.jsonl'))).size;
    const plain = Buffer.byteLength(JSON.stringify(live));
    assert.ok(bytes < plain * 0.7, `saved ${bytes} bytes, plain JSON ${plain}`);
    assert.match(await fs.readFile(path.join(dir, 'r1.jsonl'), 'utf8'), /"\$f64"/);
  });

  it('thins step records beyond the limit, keeping the first, the last and the lowest loss', async () => {
    const dir = await tmpDir();
    const { store: s } = store(dir, { maxStepRecords: 50 });
    const events = eventsOf('r1', 1000);
    await record(s, 'r1', events);
    const run = await s.read('r1');
    const steps = run?.steps ?? [];
    assert.ok(steps.length <= 50 && steps.length >= 45, `${steps.length} records`);
    assert.equal(steps[0].step, 0);
    assert.equal(steps[steps.length - 1].step, 999);
    assert.ok(steps.some((r) => r.step === 999), 'the lowest loss (the last step here) is kept');
    assert.equal(s.get('r1')?.header.summary?.thinnedFrom, 1000);
    assert.deepEqual(steps[1], fold(events).steps[steps[1].step], 'kept records are unchanged');
  });

  it('keeps what streamed when the editor stopped mid-run: the file is recovered as interrupted', async () => {
    const dir = await tmpDir();
    const { store: s } = store(dir);
    const events = eventsOf('r1', 10).slice(0, 3);
    await record(s, 'r1', events, false);
    const { store: reloaded, warnings } = store(dir);
    await reloaded.load();
    assert.equal(reloaded.get('r1')?.header.summary?.status, 'interrupted');
    const run = await reloaded.read('r1');
    assert.equal(run?.steps.length, 5);
    assert.equal(run?.error?.message, INTERRUPTED_MESSAGE);
    assert.deepEqual(warnings, []);
  });

  it('skips a corrupt file and keeps the readable events of a half-written one, with warnings', async () => {
    const dir = await tmpDir();
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, 'garbage.jsonl'), '{"format": "something else"}\nxx');
    await fs.writeFile(path.join(dir, 'empty.jsonl'), '');
    const events = eventsOf('half', 10);
    const header = headerLine(newHeader('half', { file: '/w/f.ts' }, new Date('2026-01-01T00:00:00Z')));
    const cut = eventLine(events[2]);
    await fs.writeFile(path.join(dir, 'half.jsonl'), header + eventLine(events[0]) + eventLine(events[1]) + cut.slice(0, cut.length / 2));
    const { store: s, warnings } = store(dir);
    await s.load();
    assert.deepEqual(s.list().map((e) => e.header.runId), ['half']);
    assert.equal(warnings.filter((w) => /garbage\.jsonl:1/.test(w)).length, 1);
    assert.equal(warnings.filter((w) => /empty\.jsonl: empty file/.test(w)).length, 1);
    assert.equal(warnings.filter((w) => /half\.jsonl:4: unreadable line; the 2 event\(s\) before it are kept/.test(w)).length, 1);
    const run = await s.read('half');
    assert.equal(run?.meta?.objective, 'bowl');
    assert.equal(run?.landscape?.xs.length, 3);
    assert.equal(run?.steps.length, 0);
  });

  it('cleans up oldest first past the size cap, never a pinned run, and only Delete removes a pinned one', async () => {
    const dir = await tmpDir();
    let clock = Date.parse('2026-01-01T00:00:00Z');
    const warnings: string[] = [];
    let cap = 0;
    const s = new RunStore({ dir, maxBytes: () => cap, warn: (m) => warnings.push(m), now: () => new Date((clock += 1000)) });
    for (const id of ['a', 'b', 'c', 'd']) await record(s, id, eventsOf(id, 20));
    await s.setPinned('a', true);
    await s.rename('b', '  my run  ');
    const sizes = Object.fromEntries(s.list().map((e) => [e.header.runId, e.bytes]));
    // Room for the pinned run and the two newest: 'b' (the oldest unpinned) goes.
    cap = sizes.a + sizes.c + sizes.d;
    assert.deepEqual(await s.cleanUp(), ['b']);
    assert.deepEqual(s.list().map((e) => e.header.runId), ['d', 'c', 'a']);
    cap = 1;
    assert.deepEqual(await s.cleanUp(), ['c', 'd']);
    assert.deepEqual((await listRunFiles(dir, () => undefined)).map((e) => e.header.runId), ['a']);
    const pinned = await readRunFile(path.join(dir, 'a.jsonl'));
    assert.equal(pinned.header.pinned, true);
    assert.equal(pinned.run.done?.final.loss, 0.25);
    await s.delete('a');
    assert.deepEqual(await listRunFiles(dir, () => undefined), []);
    assert.deepEqual(warnings, []);
  });

  it('runs begun in the same millisecond keep their start order, newest first, also after a reload', async () => {
    const dir = await tmpDir();
    const instant = new Date('2026-01-01T00:00:00Z');
    const s = new RunStore({ dir, maxBytes: () => 0, warn: () => undefined, now: () => new Date(instant) });
    // One batch, started in this order; names chosen so a folder listing would give the reverse.
    const started = ['z', 'y', 'x', 'c', 'b', 'a'];
    for (const id of started) s.begin(id, { file: '/w/f.ts', objective: 'bowl', optimizer: 'adam', lr: 0.1 });
    await s.flushed();
    const newestFirst = [...started].reverse();
    assert.deepEqual(s.list().map((e) => e.header.runId), newestFirst);
    const reloaded = new RunStore({ dir, maxBytes: () => 0, warn: () => undefined });
    await reloaded.load();
    assert.deepEqual(reloaded.list().map((e) => e.header.runId), newestFirst);
  });

  it('renames and unpins in the file header', async () => {
    const dir = await tmpDir();
    const { store: s } = store(dir);
    await record(s, 'r1', eventsOf('r1', 5));
    await s.rename('r1', 'baseline');
    await s.setPinned('r1', true);
    await s.setPinned('r1', false);
    const { store: reloaded } = store(dir);
    await reloaded.load();
    assert.equal(reloaded.get('r1')?.header.label, 'baseline');
    assert.equal(reloaded.get('r1')?.header.pinned, undefined);
    assert.equal((await reloaded.read('r1'))?.steps.length, 5);
  });
});
