import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lrFindResultSchema } from '../../../src/protocol/sweep';
import { buildBundles } from './buildBundles';
import { EXAMPLES } from './runInProcess';

describe('optlab lr-find', function () {
  this.timeout(180_000);
  let cli: string;
  let out: string;
  before(async () => ({ cli, dir: out } = await buildBundles()));
  const optlab = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: path.resolve(__dirname, '../../..') });

  it('grows the lr exponentially, smooths and stops as fastai does, and suggests steep and minimum / 10', () => {
    const json = path.join(out, 'lr-find.json');
    const r = optlab('lr-find', `${EXAMPLES}/rosenbrock.ts`, '--optimizer', 'sgd', '--json', json);
    assert.equal(r.status, 0, r.stderr);
    const d = lrFindResultSchema.parse(JSON.parse(fs.readFileSync(json, 'utf8')));
    assert.deepEqual([d.from, d.to, d.steps], [1e-7, 10, 100]);
    // lr_k = from·(to/from)^(k/steps), in closed form.
    d.points.forEach((p, k) => {
      assert.equal(p.step, k);
      assert.ok(Math.abs(p.lr - 1e-7 * 1e8 ** (k / 100)) <= 1e-9 * p.lr, `lr at ${k}`);
    });
    // The losses are those of the same run made by hand (optlab run with the ExponentialLR schedule).
    const refJson = path.join(out, 'lr-find-ref.json');
    optlab('run', `${EXAMPLES}/rosenbrock.ts`, '--optimizer', 'sgd', '--lr', '1e-7', '--schedule', `exponential:gamma=${(10 / 1e-7) ** (1 / 100)}`, '--steps', '100', '--json', refJson);
    const ref = JSON.parse(fs.readFileSync(refJson, 'utf8')) as { steps: { loss: number }[] };
    d.points.forEach((p, k) => assert.equal(p.loss, ref.steps[k].loss));
    // Smoothing and the stop, recomputed here: bias-corrected EMA (0.98), stop at the first smoothed loss above 4x the best so far.
    let avg = 0;
    let best = Infinity;
    let stop: number | undefined;
    d.points.forEach((p, k) => {
      avg = 0.98 * avg + 0.02 * p.loss;
      const smoothed = avg / (1 - 0.98 ** (k + 1));
      assert.ok(Math.abs(p.smoothed - smoothed) <= 1e-12 * smoothed);
      best = Math.min(best, smoothed);
      if (stop === undefined && smoothed > 4 * best) stop = k;
    });
    assert.equal(d.stoppedAt, stop);
    assert.equal(d.points.length - 1, stop, 'no point is kept after the stop');
    // fastai's steep and minimum on points[10 : -5].
    const kept = d.points.slice(10, d.points.length - 5);
    const slopes = kept.slice(1).map((p, i) => (p.smoothed - kept[i].smoothed) / Math.log(p.lr / kept[i].lr));
    assert.equal(d.suggestions.steepest, kept[slopes.indexOf(Math.min(...slopes))].lr);
    const lowest = kept.reduce((a, p) => (p.smoothed < a.smoothed ? p : a));
    assert.equal(d.suggestions.minimumOverTen, lowest.lr / 10);
    assert.match(r.stdout, /suggested lr: \S+ \(steepest descent\), \S+ \(minimum \/ 10\)/);
  });

  it('a bad range is a command-line mistake', () => {
    const r = optlab('lr-find', `${EXAMPLES}/rosenbrock.ts`, '--from', '1', '--to', '0.1');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--to \(0\.1\) must be above --from \(1\)/);
  });
});
