import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildBundles } from './buildBundles';
import { EXAMPLES, fixture } from './runInProcess';

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('optlab CLI', function () {
  this.timeout(120_000);
  let cli: string;
  let out: string;

  before(async () => ({ cli, dir: out } = await buildBundles()));

  const optlab = (...args: string[]): CliResult => {
    const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: path.resolve(__dirname, '../../..') });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it('run --json writes the documented schema (steps before each update, final after the last) and --csv', () => {
    const json = path.join(out, 'out.json');
    const csv = path.join(out, 'out.csv');
    const r = optlab('run', `${EXAMPLES}/rosenbrock.ts`, '--optimizer', 'adam', '--lr', '0.01', '--steps', '500', '--backend', 'cpu', '--json', json, '--csv', csv);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr.includes('looks like you are running TensorFlow.js'), false);
    assert.match(r.stdout, /rosenbrock\s+adam\s+0\.01\s+completed/);
    const d = JSON.parse(fs.readFileSync(json, 'utf8'));
    assert.equal(d.objective, 'rosenbrock');
    assert.deepEqual(Object.keys(d.optimizer), ['id', 'lr', 'hp']);
    assert.equal(d.optimizer.id, 'adam');
    assert.equal(d.optimizer.lr, 0.01);
    assert.deepEqual(d.optimizer.hp.betas, [0.9, 0.999]);
    assert.equal(d.backend, 'cpu');
    assert.equal(d.steps.length, 500);
    d.steps.forEach((s: Record<string, number>, k: number) => {
      for (const key of ['step', 'loss', 'gradNorm', 'lr', 'evals']) assert.equal(typeof s[key], 'number', `steps[${k}].${key}`);
      assert.equal(s.step, k);
      assert.equal(s.evals, k + 1);
    });
    // Step 0 is measured at init (-1.2, 1): f = 24.2.
    assert.ok(Math.abs(d.steps[0].loss - 24.2) < 1e-4);
    assert.deepEqual(d.curvature, []);
    assert.deepEqual(Object.keys(d.final), ['loss', 'gradNorm', 'params']);
    assert.equal(d.final.params.length, 2);
    assert.ok(d.final.loss < d.steps[0].loss);
    assert.equal(d.seed, 0);
    assert.equal(d.tfjsVersion, '4.22.0');
    assert.match(d.sourceHash, /^[0-9a-f]{64}$/);
    assert.equal(d.status, 'completed');
    assert.equal(fs.readFileSync(csv, 'utf8').trim().split('\n').length, 501);
  });

  it('a bad hyperparameter exits 1 with one line on stderr naming the valid ones', () => {
    const r = optlab('run', fixture('single.ts'), '--optimizer', 'sgd', '--hp', 'momentun=0.9', '--backend', 'cpu');
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, /^optlab: unknown hyperparameter 'momentun' for optimizer 'sgd'; valid: momentum/);
  });

  it('a file with several objectives and no --objective lists them and exits non-zero', () => {
    const r = optlab('run', fixture('constrained.ts'), '--backend', 'cpu');
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, /has 4 objectives \(nonneg, ball, box, onLine\); choose one with --objective NAME/);
  });

  it('divergence exits 1, says where, and keeps the earlier steps in --json', () => {
    const json = path.join(out, 'diverged.json');
    const r = optlab('run', fixture('bad.ts'), '--objective', 'nanAtStep4', '--optimizer', 'sgd', '--lr', '0.3', '--steps', '10', '--backend', 'cpu', '--json', json);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^optlab: diverged at step 4/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    const d = JSON.parse(fs.readFileSync(json, 'utf8'));
    assert.equal(d.status, 'diverged');
    assert.deepEqual(d.steps.map((s: { step: number }) => s.step), [0, 1, 2, 3]);
  });

  it('a compile error prints file:line:col', () => {
    const broken = path.join(out, 'broken.ts');
    fs.copyFileSync(fixture('syntaxError.ts.txt'), broken);
    const r = optlab('run', broken, '--backend', 'cpu');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^optlab: .*broken\.ts:4:\d+: Unexpected "\*"\n$/);
  });

  it('usage mistakes exit 2; list prints objectives with parameter counts', () => {
    const usage = optlab('run', fixture('single.ts'), '--steps', 'many');
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /^optlab: --steps must be a positive integer, got 'many'/);
    const list = optlab('list', fixture('params.ts'));
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /matrix\s+4\s+no\s+yes/);
    assert.match(list.stdout, /record\s+3\s+no\s+no/);
  });
});
