import * as assert from 'node:assert/strict';
import { parseSweepFile } from '../../../src/host/sweepFile';
import { sweepViewMessageSchema } from '../../../src/protocol/sweepView';

/** A minimal valid sweep file, written out by hand from the schema's fields. */
const sweep = {
  objective: 'rosenbrock', optimizer: { id: 'sgd' }, steps: 10, mode: 'grid', workers: 1, wallMs: 12,
  space: [{ name: 'lr', kind: 'list', values: ['0.001', '0.1'] }],
  runs: [
    { trial: 0, point: { lr: '0.001' }, lr: 0.001, hp: { momentum: 0 }, seed: 0, status: 'completed', stepsDone: 10, final: { loss: 3.5, gradNorm: 1 }, steps: [{ step: 0, loss: 4 }, { step: 10, loss: 3.5 }] },
    { trial: 1, point: { lr: '0.1' }, lr: 0.1, hp: { momentum: 0 }, seed: 0, status: 'diverged', stepsDone: 3, divergedAt: 3, final: { loss: null, gradNorm: null }, steps: [{ step: 0, loss: 4 }, { step: 3, loss: null }] },
  ],
  best: { trial: 0, point: { lr: '0.001' }, lr: 0.001, hp: { momentum: 0 }, loss: 3.5, seeds: 1 },
};

describe('parseSweepFile (Open Sweep Results…)', () => {
  it('a sweep file becomes a sweep message naming the file, diverged runs kept', () => {
    const parsed = parseSweepFile(JSON.stringify(sweep, null, 2), 'sweeps/a.json');
    assert.ok(parsed.ok);
    assert.equal(parsed.message.file, 'sweeps/a.json');
    assert.deepEqual(parsed.message.result.runs.map((r) => r.status), ['completed', 'diverged']);
    assert.equal(parsed.message.result.runs[1].final.loss, null);
    // What the host posts passes the dashboard's check.
    assert.ok(sweepViewMessageSchema.safeParse(parsed.message).success);
  });

  it('text that is not JSON: refused with the file and the line of the fault (the doubled comma on line 3)', () => {
    const text = '{\n  "objective": "rosenbrock",\n  "steps": 10,,\n}';
    const parsed = parseSweepFile(text, 'sweeps/broken.json');
    assert.equal(parsed.ok, false);
    if (parsed.ok) return;
    assert.match(parsed.error, /^sweeps\/broken\.json:3: not JSON/);
  });

  it('JSON that is not a sweep: refused with the file and the field at fault', () => {
    const bad = { ...sweep, runs: [{ ...sweep.runs[0], status: 'exploded' }] };
    const parsed = parseSweepFile(JSON.stringify(bad), 'runs.json');
    assert.equal(parsed.ok, false);
    if (parsed.ok) return;
    assert.match(parsed.error, /^runs\.json: not a sweep file/);
    assert.match(parsed.error, /runs\.0\.status/);
    const other = parseSweepFile('[1, 2]', 'list.json');
    assert.equal(other.ok, false);
    if (!other.ok) assert.match(other.error, /^list\.json: not a sweep file .*\(top level\)/);
  });
});
