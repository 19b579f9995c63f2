import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { USAGE, UsageError, parseCommand, parseScheduleArg, type RunCommand } from '../../../src/runner/cliArgs';
import { buildBundles } from './buildBundles';

/** `--schedule SPEC` or `--schedule FILE#NAME` (a schedule function), and `list` showing schedule functions. */
const ROOT = path.resolve(__dirname, '../../..');

describe('optlab run --schedule FILE#NAME: parsing', () => {
  const cwd = path.resolve('/work/project');

  it('a spec stays a spec, whatever composition it writes', () => {
    for (const spec of ['cosine:T_max=100', 'sequential:milestones=10;50+linear+cosine+constant', 'exponential*step:step_size=3', 'warmup+(cyclic)', '']) {
      assert.deepEqual(parseScheduleArg(spec, cwd), { spec });
    }
  });

  it('a file (a path separator, .ts/.js or #) is a schedule function, resolved against the current folder', () => {
    assert.deepEqual(parseScheduleArg('lr.ts#decay', cwd), { file: path.join(cwd, 'lr.ts'), name: 'decay' });
    assert.deepEqual(parseScheduleArg('schedules/lr.ts', cwd), { file: path.join(cwd, 'schedules', 'lr.ts'), name: '' });
    assert.deepEqual(parseScheduleArg('/abs/lr.js#f', cwd), { file: '/abs/lr.js', name: 'f' });
    assert.throws(() => parseScheduleArg('#decay', cwd), (e: unknown) => e instanceof UsageError && /--schedule #decay: the file before '#' is missing/.test(e.message));
  });

  it('run carries either the spec or the file and name', () => {
    const spec = parseCommand(['run', 'f.ts', '--schedule', 'cosine']) as RunCommand;
    assert.equal(spec.schedule, 'cosine');
    assert.equal(spec.scheduleFile, undefined);
    const file = parseCommand(['run', 'f.ts', '--schedule', '/s/lr.ts#decay']) as RunCommand;
    assert.equal(file.schedule, undefined);
    assert.deepEqual(file.scheduleFile, { file: '/s/lr.ts', name: 'decay' });
    const none = parseCommand(['run', 'f.ts']) as RunCommand;
    assert.equal(none.schedule, undefined);
    assert.equal(none.scheduleFile, undefined);
  });

  it('the usage text shows both forms', () => {
    assert.match(USAGE, /\[--schedule SPEC\|FILE#NAME\]/);
    assert.match(USAGE, /--schedule FILE#NAME +a function FILE exports: \(step\) => factor .* or \(step, lr\) => next lr/);
    assert.match(USAGE, /sequential:milestones=10;50\+linear\+cosine\+constant/);
  });
});

describe('optlab CLI: schedule functions', function () {
  this.timeout(120_000);
  let cli: string;
  let out: string;

  before(async () => ({ cli, dir: out } = await buildBundles()));

  const optlab = (...args: string[]) => {
    const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: ROOT });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it('run --schedule FILE#NAME (relative): the record names FILE#NAME and every step has its lr', () => {
    const json = path.join(out, 'halving.json');
    const r = optlab('run', 'test/fixtures/objectives/single.ts', '--optimizer', 'sgd', '--lr', '0.04', '--steps', '5', '--backend', 'cpu',
      '--schedule', 'test/fixtures/schedules/schedules.ts#halving', '--json', json);
    assert.equal(r.code, 0, r.stderr);
    const d = JSON.parse(fs.readFileSync(json, 'utf8'));
    assert.equal(d.schedule, `${path.join(ROOT, 'test/fixtures/schedules/schedules.ts')}#halving`);
    assert.deepEqual(d.steps.map((s: { lr: number }) => s.lr), [0.04, 0.04, 0.02, 0.02, 0.01]);
  });

  it('a failing schedule exits 1 with one line at its file:line naming the step; a missing file is refused first', () => {
    const r = optlab('run', 'test/fixtures/objectives/single.ts', '--steps', '9', '--backend', 'cpu', '--schedule', 'test/fixtures/schedules/schedules.ts#throwsAtFive');
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, /^optlab: test\/fixtures\/schedules\/schedules\.ts:\d+:\d+: schedule 'throwsAtFive' threw at step 5: schedule exploded on purpose\n$/);
    const missing = optlab('run', 'test/fixtures/objectives/single.ts', '--schedule', 'nowhere/lr.ts#f', '--backend', 'cpu');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^optlab: .*nowhere\/lr\.ts: no such file \(the schedule function's file, from --schedule\)/);
  });

  it('list prints schedule functions with their form; a schedules-only file is fine', () => {
    const r = optlab('list', 'test/fixtures/schedules/schedules.ts');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^schedule\s+line\s+form/);
    assert.match(r.stdout, /\nhalving\s+\d+\s+\(step\) => factor/);
    assert.match(r.stdout, /\ndecay\s+\d+\s+\(step, lr\) => lr/);
    assert.doesNotMatch(r.stdout, /threeParams|later|notAFunction|tensorHelper|throwsAtZero/);
    const both = optlab('list', 'test/fixtures/schedules/withObjective.ts');
    assert.equal(both.code, 0, both.stderr);
    assert.match(both.stdout, /^objective\s+params[^]*\n\nschedule\s+line\s+form\n[^]*table\s+\d+\s+\(step\) => factor/);
  });
});
