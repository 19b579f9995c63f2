import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  parseReplayRecord, replayDifferences, replayLink, replayRecordOf, requestOfRecord, trailingPaths, type ReplayRecord,
} from '../../../src/protocol/replayRecord';
import type { RunSnapshot } from '../../../src/protocol/webview';
import { runInProcess, type InProcessResult } from '../runner/runInProcess';

const BOWL = (scale: number) => `import * as tf from '@tensorflow/tfjs';
export function tilted(x: tf.Tensor1D): tf.Scalar {
  return tf.sum(tf.mul(tf.tensor1d([1, ${scale}]), tf.square(tf.sub(x, tf.tensor1d([1, -2]))))) as tf.Scalar;
}
tilted.init = [3, 4];
`;

function snapshotOf(r: InProcessResult, file: string): RunSnapshot {
  assert.ok(r.done, r.error?.message);
  return { runId: 'recorded', file, meta: r.meta, steps: r.steps, curvature: [], lrChanges: [], done: r.done };
}

/** A request's settings as the runner takes them (the saved request's fields). */
function runOf(request: ReturnType<typeof requestOfRecord>): Promise<InProcessResult> {
  return runInProcess({
    file: request.file, objective: request.objective, optimizer: { id: request.optimizer ?? '', lr: request.lr ?? NaN, hp: request.hp ?? {} },
    ...(request.schedule ? { schedule: request.schedule } : {}), steps: request.steps, seed: request.seed,
  });
}

describe('replay records (Share)', function () {
  this.timeout(120_000);
  let dir: string;
  let record: ReplayRecord;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'replay-record-'));
    const file = path.join(dir, 'recorder', 'lessons', 'tilted.ts');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, BOWL(10));
    const r = await runInProcess({ file, optimizer: { id: 'adam', lr: 0.05, hp: { betas: [0.8, 0.99] } }, schedule: 'cosine:T_max=40', steps: 40, seed: 7 });
    assert.equal(r.leaked, 0);
    const made = replayRecordOf(snapshotOf(r, file));
    assert.ok(made);
    record = made;
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('holds the objective\'s source hash, the settings, the seed and the backend of the run', () => {
    assert.equal(record.objective.name, 'tilted');
    assert.match(record.objective.sourceHash, /^[0-9a-f]{64}$/);
    assert.deepEqual(record.settings, { optimizer: 'adam', lr: 0.05, hp: record.settings.hp, schedule: record.settings.schedule, steps: 40, seed: 7 });
    assert.deepEqual(record.settings.hp.betas, [0.8, 0.99]);
    assert.match(record.settings.schedule ?? '', /^cosine/);
    assert.equal(record.backend, 'cpu');
    assert.equal(record.final?.steps, 40);
  });

  it('round-trips through its link and its JSON; other text is refused with the reason', () => {
    const link = replayLink(record);
    assert.match(link, /^optimizer-lab-replay:[A-Za-z0-9_-]+$/);
    assert.deepEqual(parseReplayRecord(link), { record });
    assert.deepEqual(parseReplayRecord(`see vscode://x/replay?r=${link.slice('optimizer-lab-replay:'.length)} or ${link} `), { record });
    assert.deepEqual(parseReplayRecord(JSON.stringify(record, null, 1)), { record });
    assert.deepEqual(parseReplayRecord('{"format":"optimizer-lab-replay","version":2}'), { problem: 'not a replay record: version: Invalid input: expected 1' });
    assert.ok('problem' in parseReplayRecord('optimizer-lab-replay:'));
  });

  it('reopened in another workspace (the file found by its trailing path) reproduces the run: same settings, same final loss', async () => {
    const other = path.join(dir, 'elsewhere');
    const found = trailingPaths(record.objective.file).map((p) => path.join(other, p)).find((p) => p.endsWith(path.join('lessons', 'tilted.ts')));
    assert.ok(found);
    fs.mkdirSync(path.dirname(found), { recursive: true });
    fs.writeFileSync(found, BOWL(10));
    const request = requestOfRecord(record, found);
    assert.deepEqual({ optimizer: request.optimizer, lr: request.lr, hp: request.hp, schedule: request.schedule, steps: request.steps, seed: request.seed },
      { optimizer: 'adam', lr: 0.05, hp: record.settings.hp, schedule: record.settings.schedule, steps: 40, seed: 7 });
    const again = await runOf(request);
    assert.ok(again.meta && again.done);
    assert.deepEqual(replayDifferences(record, again.meta, again.done.final.loss), []);
    assert.equal(again.done.final.loss, record.final?.loss);
  });

  it('a changed source is reported (hash and final loss), not silently replayed', async () => {
    const changed = path.join(dir, 'changed', 'tilted.ts');
    fs.mkdirSync(path.dirname(changed), { recursive: true });
    fs.writeFileSync(changed, BOWL(20));
    const again = await runOf(requestOfRecord(record, changed));
    assert.ok(again.meta && again.done);
    const said = replayDifferences(record, again.meta, again.done.final.loss);
    assert.equal(said.length, 2, said.join('\n'));
    assert.match(said[0], new RegExp(`^the objective's source changed since the record \\(sha256 ${record.objective.sourceHash.slice(0, 12)}… recorded`));
    assert.match(said[1], /^final loss .* here, .* in the record$/);
  });

  it('trailing paths: longest first, drive letters and empty parts dropped', () => {
    assert.deepEqual(trailingPaths('/a/b/c.ts'), ['a/b/c.ts', 'b/c.ts', 'c.ts']);
    assert.deepEqual(trailingPaths('C:\\w\\c.ts'), ['w/c.ts', 'c.ts']);
  });
});
