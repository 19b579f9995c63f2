import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sweepResultSchema, type SweepResult, type SweepRun } from '../../../src/protocol/sweep';
import { buildBundles } from './buildBundles';
import { EXAMPLES } from './runInProcess';

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** |a − b| ≤ 1e-5·|b| (the sweep's runs are separate `optlab run`s to float32 roundoff). */
function close(a: number | null, b: number, what: string): void {
  assert.ok(a !== null && Math.abs(a - b) <= 1e-5 * Math.abs(b) + 1e-30, `${what}: sweep ${a} vs run ${b}`);
}

describe('optlab sweep', function () {
  this.timeout(300_000);
  let cli: string;
  let out: string;
  before(async () => ({ cli, dir: out } = await buildBundles()));

  const optlab = (...args: string[]): CliResult => {
    const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: path.resolve(__dirname, '../../..') });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const sweep = (name: string, ...args: string[]): { result: SweepResult; cli: CliResult } => {
    const json = path.join(out, `${name}.json`);
    const r = optlab('sweep', ...args, '--json', json);
    assert.equal(r.code, 0, r.stderr);
    return { result: sweepResultSchema.parse(JSON.parse(fs.readFileSync(json, 'utf8'))), cli: r };
  };
  /** The run `optlab run` makes with the same settings, from its --json. */
  const single = (name: string, ...args: string[]) => {
    const json = path.join(out, `${name}.json`);
    optlab('run', ...args, '--json', json);
    return JSON.parse(fs.readFileSync(json, 'utf8')) as { status: string; final: { loss: number; gradNorm: number } | null; steps: { step: number; loss: number }[] };
  };
  const sameAsRun = (run: SweepRun, name: string, ...args: string[]): void => {
    const ref = single(name, ...args);
    if (run.status === 'diverged') {
      assert.equal(ref.status, 'diverged');
      assert.equal(run.stepsDone, ref.steps.length);
    } else {
      assert.equal(run.status, ref.status);
      close(run.final.loss, ref.final?.loss as number, `${name} final loss`);
      close(run.final.gradNorm, ref.final?.gradNorm as number, `${name} final grad norm`);
    }
    // Every kept step's loss is the run's loss at that step.
    for (const s of run.steps) close(s.loss, ref.steps[s.step].loss, `${name} loss at step ${s.step}`);
  };

  it('a grid over lr and momentum: the product, every run equal to optlab run, diverged runs kept and marked', () => {
    const { result, cli: r } = sweep('grid', `${EXAMPLES}/rosenbrock.ts`, '--optimizer', 'sgd', '--grid', 'lr=1e-4:1e-2:log:3', '--grid', 'momentum=0,0.9', '--steps', '300', '--workers', '2', '--csv', path.join(out, 'grid.csv'));
    assert.equal(result.runs.length, 6);
    assert.deepEqual(result.runs.map((x) => [x.point.lr, x.point.momentum]), [['0.0001', '0'], ['0.0001', '0.9'], ['0.001', '0'], ['0.001', '0.9'], ['0.01', '0'], ['0.01', '0.9']]);
    const diverged = result.runs.filter((x) => x.status === 'diverged');
    assert.ok(diverged.length >= 1, 'lr 0.01 diverges on Rosenbrock from (-1.2, 1)');
    for (const d of diverged) assert.equal(typeof d.divergedAt, 'number');
    assert.ok(result.runs.every((x) => x.steps.length <= 201 && x.steps[0].step === 0));
    sameAsRun(result.runs[3], 'grid-ref-3', `${EXAMPLES}/rosenbrock.ts`, '--optimizer', 'sgd', '--lr', '0.001', '--hp', 'momentum=0.9', '--steps', '300');
    sameAsRun(result.runs[0], 'grid-ref-0', `${EXAMPLES}/rosenbrock.ts`, '--optimizer', 'sgd', '--lr', '0.0001', '--hp', 'momentum=0', '--steps', '300');
    sameAsRun(diverged[0], 'grid-ref-d', `${EXAMPLES}/rosenbrock.ts`, '--optimizer', 'sgd', '--lr', diverged[0].point.lr, '--hp', `momentum=${diverged[0].point.momentum}`, '--steps', '300');
    // The best is the lowest final loss among finished runs, found independently here.
    const finished = result.runs.filter((x) => x.status === 'completed').sort((a, b) => (a.final.loss as number) - (b.final.loss as number));
    assert.equal(result.best?.trial, finished[0].trial);
    assert.match(r.stdout, /best: lr=\S+ momentum=\S+\s+loss/);
    assert.equal(fs.readFileSync(path.join(out, 'grid.csv'), 'utf8').trim().split('\n').length, 7);
  });

  it("a user's rule (FILE#NAME) and a tuple-valued hyperparameter with ';', over seeds of a stochastic objective", () => {
    const rule = sweep('rule', `${EXAMPLES}/rosenbrock.ts`, '--optimizer', `${EXAMPLES}/lion.ts#lion`, '--grid', 'lr=1e-4,1e-3', '--grid', 'beta1=0.8,0.9', '--steps', '200', '--workers', '2').result;
    assert.equal(rule.runs.length, 4);
    sameAsRun(rule.runs[2], 'rule-ref', `${EXAMPLES}/rosenbrock.ts`, '--optimizer', `${EXAMPLES}/lion.ts#lion`, '--lr', '1e-3', '--hp', 'beta1=0.8', '--steps', '200');
    const tuples = sweep('tuples', `${EXAMPLES}/logisticRegression.ts`, '--optimizer', 'adam', '--lr', '0.05', '--grid', 'betas=0.9,0.999;0.8,0.99', '--seeds', '2', '--steps', '60').result;
    assert.deepEqual(tuples.runs.map((x) => [x.trial, x.seed, x.hp.betas]), [[0, 0, [0.9, 0.999]], [0, 1, [0.9, 0.999]], [1, 0, [0.8, 0.99]], [1, 1, [0.8, 0.99]]]);
    sameAsRun(tuples.runs[3], 'tuples-ref', `${EXAMPLES}/logisticRegression.ts`, '--optimizer', 'adam', '--lr', '0.05', '--hp', 'betas=0.8,0.99', '--seed', '1', '--steps', '60');
  });

  it('a seeded Sobol search with halving: the same seed gives the same trials; each rung keeps the better half', () => {
    const args = [`${EXAMPLES}/rosenbrock.ts`, '--optimizer', 'adam', '--grid', 'lr=1e-3:1e-1:log', '--grid', 'beta=0,1:lin', '--search', 'sobol', '--trials', '8', '--halving', '--seed', '5', '--steps', '160'];
    // beta is not adam's: the search rejects it in every run (kept, marked 'error'), so use betas below.
    const bad = optlab('sweep', ...args);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /unknown hyperparameter 'beta'/);
    const good = ['--grid', 'lr=1e-3:1e-1:log', '--grid', 'betas=0.9,0.999;0.5,0.9', '--search', 'sobol', '--trials', '8', '--halving', '--seed', '5', '--steps', '160'];
    const a = sweep('sobol-a', `${EXAMPLES}/rosenbrock.ts`, ...good).result;
    const b = sweep('sobol-b', `${EXAMPLES}/rosenbrock.ts`, ...good).result;
    assert.deepEqual(a.runs.map((x) => x.point), b.runs.map((x) => x.point));
    assert.deepEqual(a.halving?.rungs, [20, 40, 80]);
    // Rung by rung, the trials that reached the next rung are the better half of those at this one, sorted here by hand.
    let alive = a.runs.map((x) => x.trial);
    for (let rung = 0; rung < 3; rung++) {
      const atRung = a.runs.filter((x) => alive.includes(x.trial));
      const sorted = [...atRung].sort((p, q) => ((p.rungs?.[rung].loss ?? Infinity) - (q.rungs?.[rung].loss ?? Infinity)) || p.trial - q.trial);
      const kept = sorted.slice(0, Math.ceil(atRung.length / 2)).map((x) => x.trial).sort((p, q) => p - q);
      const reached = atRung.filter((x) => (x.rungs?.length ?? 0) > rung + 1 || x.stepsDone === 160).map((x) => x.trial);
      assert.deepEqual(reached, kept, `rung ${rung}`);
      for (const x of atRung.filter((y) => !kept.includes(y.trial))) assert.equal(x.status, 'pruned');
      alive = kept;
    }
    assert.equal(a.runs.filter((x) => x.stepsDone === 160).length, 1);
  });

  it('Ctrl-C stops the sweep: exit 130, every run written and marked (finished, stopped, not started)', async () => {
    const json = path.join(out, 'interrupted.json');
    const child = spawn(process.execPath, [cli, 'sweep', `${EXAMPLES}/rosenbrock.ts`, '--optimizer', 'sgd', '--grid', 'lr=0.05,1e-4,2e-4', '--steps', '50000000', '--time-limit', '600', '--workers', '1', '--json', json]);
    let stderr = '';
    let interrupted = false;
    // The first configuration diverges within a few steps; the second runs until interrupted (once: a second Ctrl-C ends the process).
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!interrupted && stderr.includes('[1/3]')) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 130, stderr);
    assert.match(stderr, /interrupted: the runs that finished are kept/);
    const result = sweepResultSchema.parse(JSON.parse(fs.readFileSync(json, 'utf8')));
    assert.deepEqual(result.runs.map((r) => r.status), ['diverged', 'cancelled', 'cancelled']);
    // The second may be stopped before its first step (the pool test checks runs stopped part way keep their steps).
    assert.ok(result.runs[1].stepsDone < 50_000_000);
    assert.equal(result.runs[2].stepsDone, 0);
    assert.equal(result.runs[2].message, 'cancelled before it started');
  });

  it('mistakes in the command line exit 2 and name the flag', () => {
    const r = optlab('sweep', `${EXAMPLES}/rosenbrock.ts`, '--grid', 'lr=1e-4:1e-1:log');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /a grid needs a count/);
    assert.match(optlab('sweep', `${EXAMPLES}/rosenbrock.ts`, '--grid', 'lr=0.1', '--halving').stderr, /--halving goes with --search/);
  });
});
