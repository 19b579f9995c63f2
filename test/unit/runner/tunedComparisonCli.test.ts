/** `optlab sweep --compare`: each optimizer tuned over the same grid with the same budget, its best run again on held-out seeds. */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sweepResultSchema, type SweepResult } from '../../../src/protocol/sweep';
import { parseTuningCommand, type SweepCommand } from '../../../src/runner/sweepArgs';
import { COMPARE_DEFAULT_GRID, COMPARE_DEFAULT_SEEDS, UsageError } from '../../../src/runner/cliArgs';
import { buildBundles } from './buildBundles';
import { EXAMPLES } from './runInProcess';

describe('optlab sweep --compare (tuned comparison)', function () {
  this.timeout(300_000);
  let cli: string;
  let out: string;
  before(async () => ({ cli, dir: out } = await buildBundles()));
  const optlab = (...args: string[]) => {
    const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: path.resolve(__dirname, '../../..') });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it('arguments: two or more optimizers, not beside --optimizer or --halving; default grid and held-out seeds', () => {
    const cmd = parseTuningCommand('sweep', ['f.ts', '--compare', 'sgd, adam']) as SweepCommand;
    assert.deepEqual(cmd.compare, [{ id: 'sgd' }, { id: 'adam' }]);
    assert.deepEqual(cmd.dims.map((d) => d.name), [COMPARE_DEFAULT_GRID.split('=')[0]]);
    assert.equal(cmd.seeds, COMPARE_DEFAULT_SEEDS);
    for (const bad of [['--compare', 'adam'], ['--compare', 'sgd,adam', '--optimizer', 'adam'], ['--compare', 'sgd,adam', '--search', 'random', '--trials', '4', '--halving']]) {
      assert.throws(() => parseTuningCommand('sweep', ['f.ts', ...bad]), UsageError, bad.join(' '));
    }
  });

  it('same grid and budget for each; the tuned lr is the best tuning run; held-out seeds equal separate optlab runs', () => {
    const json = path.join(out, 'compare.json');
    const file = `${EXAMPLES}/logisticRegression.ts`;
    const r = optlab('sweep', file, '--compare', 'sgd,adam', '--grid', 'lr=1e-3:1e-1:log:3', '--steps', '40', '--seeds', '2', '--workers', '2', '--json', json);
    assert.equal(r.code, 0, r.stderr);
    const result: SweepResult = sweepResultSchema.parse(JSON.parse(fs.readFileSync(json, 'utf8')));
    const comparison = result.comparison!;
    assert.deepEqual(result.space.map((d) => d.name), ['optimizer', 'lr']);
    assert.deepEqual(comparison.budget, { configurations: 3, steps: 40, totalSteps: 120 });
    assert.deepEqual(comparison.seeds, [1, 2], 'held out: not the tuning seed');
    for (const id of ['sgd', 'adam']) {
      const tuning = result.runs.filter((x) => x.point.optimizer === id);
      assert.equal(tuning.length, 3, `${id}: one run per configuration, the same count for each`);
      assert.ok(tuning.every((x) => x.seed === comparison.tuningSeed && x.stepsDone <= 40));
      const finished = tuning.filter((x) => x.status === 'completed' && x.final.loss !== null);
      const best = finished.reduce((a, b) => ((b.final.loss as number) < (a.final.loss as number) ? b : a));
      const entry = comparison.optimizers.find((o) => o.id === id)!;
      assert.equal(entry.tuned?.lr, best.lr, `${id}: the tuned lr is its lowest tuning loss's`);
      assert.equal(entry.tuned?.loss, best.final.loss);
      assert.deepEqual(entry.runs.map((x) => [x.seed, x.lr]), [[1, best.lr], [2, best.lr]]);
      const losses = entry.runs.map((x) => x.final.loss as number);
      assert.ok(Math.abs((entry.mean as number) - (losses[0] + losses[1]) / 2) < 1e-12);
      assert.deepEqual([entry.min, entry.max], [Math.min(...losses), Math.max(...losses)]);
      // The held-out run on seed 2 is the optlab run with the tuned lr and that seed.
      const ref = path.join(out, `compare-${id}.json`);
      assert.equal(optlab('run', file, '--optimizer', id, '--lr', String(best.lr), '--seed', '2', '--steps', '40', '--json', ref).code, 0);
      const single = JSON.parse(fs.readFileSync(ref, 'utf8')) as { final: { loss: number } };
      assert.ok(Math.abs(losses[1] - single.final.loss) <= 1e-5 * Math.abs(single.final.loss), `${id}: ${losses[1]} vs ${single.final.loss}`);
    }
    assert.notEqual(comparison.optimizers[0].runs[0].final.loss, comparison.optimizers[0].runs[1].final.loss, 'the seeds differ (a stochastic objective)');
    assert.match(r.stdout, /tuned comparison on .*: each optimizer tuned over the same 3 configurations × 40 steps/);
    assert.match(r.stdout, /mean final loss \(2 held-out seeds\)/);
  });
});
