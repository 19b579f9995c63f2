import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildBundles } from './buildBundles';

/** `optlab` with optimizer rules: --optimizer FILE#NAME, --hp for a rule's defaults, list, and the --json record. */
const ROOT = path.resolve(__dirname, '../../..');

describe('optlab CLI: optimizer rules', function () {
  this.timeout(120_000);
  let cli: string;
  let out: string;

  before(async () => ({ cli, dir: out } = await buildBundles()));

  /** Runs from the repository's root, so relative paths below are relative to it. */
  const optlab = (...args: string[]) => {
    const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: ROOT });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it('run --optimizer FILE (relative, one rule) with --hp: the table names the rule, --json records its file', () => {
    const json = path.join(out, 'lion.json');
    const r = optlab('run', 'examples/rosenbrock.ts', '--optimizer', 'examples/lion.ts', '--lr', '0.01', '--hp', 'beta1=0.95', '--steps', '50', '--backend', 'cpu', '--json', json);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /rosenbrock\s+lion\.ts#lion\s+0\.01\s+completed/);
    const d = JSON.parse(fs.readFileSync(json, 'utf8'));
    assert.deepEqual(d.optimizer, { id: 'lion', lr: 0.01, hp: { beta1: 0.95, beta2: 0.99, weight_decay: 0 }, file: path.join(ROOT, 'examples', 'lion.ts') });
    assert.equal(d.steps.length, 50);
    assert.ok(d.final.loss < d.steps[0].loss);
  });

  it('run --optimizer FILE#NAME (absolute) with a tuple --hp a,b', () => {
    const json = path.join(out, 'heavyBall.json');
    const file = path.join(ROOT, 'test/fixtures/rules/rules.ts');
    const r = optlab('run', 'test/fixtures/objectives/single.ts', '--optimizer', `${file}#heavyBall`, '--hp', 'betas=0.5,0.6', '--steps', '3', '--backend', 'cpu', '--json', json);
    assert.equal(r.code, 0, r.stderr);
    const d = JSON.parse(fs.readFileSync(json, 'utf8'));
    assert.equal(d.optimizer.id, 'heavyBall');
    assert.deepEqual(d.optimizer.hp, { momentum: 0.9, betas: [0.5, 0.6] });
    assert.equal(d.optimizer.file, file);
  });

  it("a rule error exits 1 with one line naming the rule's file; a missing rule file is refused before anything runs", () => {
    const json = path.join(out, 'nope.json');
    const r = optlab('run', 'test/fixtures/objectives/single.ts', '--optimizer', 'test/fixtures/rules/rules.ts#nope', '--backend', 'cpu', '--json', json);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, /^optlab: test\/fixtures\/rules\/rules\.ts: no optimizer rule named 'nope' in .*; rules: signDescent, heavyBall\n$/);
    // Nothing started, so no record is written (as for any run that fails before it starts).
    assert.equal(fs.existsSync(json), false);
    const missing = optlab('run', 'test/fixtures/objectives/single.ts', '--optimizer', 'rules/none.ts#x', '--backend', 'cpu');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^optlab: .*rules\/none\.ts: no such file \(the optimizer rule's file, from --optimizer\)/);
  });

  it('list prints a file\'s rules with their defaults (and objectives beside them); a rules-only file is fine', () => {
    const lion = optlab('list', 'examples/lion.ts');
    assert.equal(lion.code, 0, lion.stderr);
    assert.match(lion.stdout, /^optimizer rule\s+line\s+scope\s+defaults/);
    assert.match(lion.stdout, /\nlion\s+\d+\s+tensor\s+lr=0\.0001 beta1=0\.9 beta2=0\.99 weight_decay=0/);
    const both = optlab('list', 'test/fixtures/rules/withObjective.ts');
    assert.equal(both.code, 0, both.stderr);
    assert.match(both.stdout, /^objective\s+params/);
    assert.match(both.stdout, /\nbowl\s+5\s+no\s+no/);
    assert.match(both.stdout, /\nrankScaledSgd\s+\d+\s+tensor\s+lr=0\.1/);
    const tuples = optlab('list', 'test/fixtures/rules/rules.ts');
    assert.match(tuples.stdout, /heavyBall\s+\d+\s+tensor\s+lr=0\.01 momentum=0\.9 betas=0\.9,0\.999/);
    // A rule with a problem is listed with it, and the exit code says so.
    const bad = optlab('list', 'test/fixtures/rules/badRules.ts');
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /noLr\s+\d+\s+tensor\s+beta=0\.9\s+optimizer rule 'noLr': defaults\.lr must be a number/);
  });
});
