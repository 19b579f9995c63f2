import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPORT_DATA_ID, hostToWebviewSchema, type RunSnapshot } from '../../../src/protocol/webview';
import { UsageError, parseCommand } from '../../../src/runner/cliArgs';
import { finalText, newHeader } from '../../../src/runner/runFiles/runFileFormat';
import { savedRunsCommand } from '../../../src/runner/runFiles/runsCli';
import { meta, step } from '../host/fakeRunner';

function savedRun(runId: string, optimizer: string, loss: number): RunSnapshot {
  return {
    runId, file: '/w/f.ts', meta: { ...meta('bowl'), optimizer: { id: optimizer, lr: 0.05, hp: {} } }, steps: [step(0), step(1)], curvature: [], lrChanges: [],
    done: { type: 'done', runId, status: 'completed', final: { loss, gradNorm: 0, params: [0, 0] }, stepsPerSecond: 1, wallMs: 1, evals: 2 },
  };
}

/** Runs `work` with stdout and stderr captured. */
async function captured(work: () => Promise<number>): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const [write, writeErr] = [process.stdout.write.bind(process.stdout), process.stderr.write.bind(process.stderr)];
  process.stdout.write = ((s: string) => out.push(s) > 0) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => err.push(s) > 0) as typeof process.stderr.write;
  try {
    return { code: await work(), out: out.join(''), err: err.join('') };
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
  }
}

describe('optlab runs / optlab report (saved runs)', () => {
  let dir = '';
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'optlab-saved-'));
    const write = (id: string, optimizer: string, loss: number, at: string) =>
      fs.writeFile(path.join(dir, `${id}.jsonl`), finalText(newHeader(id, { file: '/w/f.ts', objective: 'bowl' }, new Date(at)), savedRun(id, optimizer, loss)));
    await write('a', 'sgd', 0.5, '2026-01-01T10:00:00Z');
    await write('b', 'adam', 0.003, '2026-01-02T10:00:00Z');
    await fs.writeFile(path.join(dir, 'broken.jsonl'), 'not json\n');
  });
  after(() => fs.rm(dir, { recursive: true, force: true }));

  it('parses both commands and says what is missing', () => {
    assert.deepEqual(parseCommand(['runs']), { command: 'runs', dir: path.join('.optimizer-lab', 'runs') });
    assert.deepEqual(parseCommand(['report', 'x.jsonl', '-o', 'r.html']), { command: 'report', inputs: ['x.jsonl'], out: 'r.html' });
    assert.throws(() => parseCommand(['report', 'x.jsonl']), (e: Error) => e instanceof UsageError && /-o PATH\.html/.test(e.message));
    assert.throws(() => parseCommand(['report', '-o', 'r.html']), UsageError);
  });

  it('lists the saved runs newest first and names a file it skipped', async () => {
    const { code, out, err } = await captured(() => savedRunsCommand({ command: 'runs', dir }));
    assert.equal(code, 0);
    const lines = out.split('\n');
    assert.match(lines[0], /file\s+objective\s+optimizer\s+lr\s+final loss\s+status/);
    assert.ok(lines.findIndex((l) => l.startsWith('b.jsonl')) < lines.findIndex((l) => l.startsWith('a.jsonl')));
    assert.match(out, /b\.jsonl\s+bowl\s+adam\s+0\.05\s+0\.003\s+completed\s+2/);
    assert.match(out, /2 saved runs in /);
    assert.match(err, /skipped .*broken\.jsonl:1: not a saved run/);
  });

  it('reports the chosen saved runs in one self-contained page, as the dashboard reads them', async () => {
    const out = path.join(dir, 'report.html');
    const { code, err } = await captured(() => savedRunsCommand({ command: 'report', inputs: [path.join(dir, 'b.jsonl'), path.join(dir, 'broken.jsonl')], out }));
    assert.equal(code, 0, err);
    const html = await fs.readFile(out, 'utf8');
    const m = new RegExp(`<script type="application/json" id="${REPORT_DATA_ID}">(.*?)</script>`, 's').exec(html);
    const snapshot = hostToWebviewSchema.parse(JSON.parse(m?.[1] ?? '{}'));
    assert.equal(snapshot.type, 'snapshot');
    if (snapshot.type !== 'snapshot') return;
    assert.deepEqual(snapshot.runs, [savedRun('b', 'adam', 0.003)]);
    assert.match(err, /report of 1 run written/);
    const all = await captured(() => savedRunsCommand({ command: 'report', inputs: [dir], out }));
    assert.match(all.err, /report of 2 runs written/);
  });
});
