import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { curvatureSampleSchema, runErrorSchema } from '../../../src/protocol/runner';
import { buildBundles } from './buildBundles';
import { EXAMPLES, fixture } from './runInProcess';

/** Rosenbrock's gradient and Hessian eigenvalues at (x, y), in float64. */
const gradient = (x: number, y: number) => [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)];
function eigenvalues(x: number, y: number): [number, number] {
  const a = 2 - 400 * y + 1200 * x * x;
  const b = -400 * x;
  const d = 200;
  const mean = (a + d) / 2;
  const radius = Math.hypot((a - d) / 2, b);
  return [mean - radius, mean + radius];
}

describe('optlab run --curvature-every (JSON)', function () {
  this.timeout(120_000);
  let cli: string;
  let out: string;
  before(async () => ({ cli, dir: out } = await buildBundles()));

  const runJson = (name: string, ...args: string[]) => {
    const json = path.join(out, name);
    const r = spawnSync(process.execPath, [cli, 'run', ...args, '--backend', 'cpu', '--json', json], { encoding: 'utf8', cwd: path.resolve(__dirname, '../../..') });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(fs.readFileSync(json, 'utf8'));
  };

  it('samples Rosenbrock at steps 0, 10, …, 40 and the final point, matching the analytic Hessian', () => {
    const lr = 1e-3;
    const d = runJson('rosenbrock.json', `${EXAMPLES}/rosenbrock.ts`, '--optimizer', 'sgd', '--lr', String(lr), '--steps', '50', '--curvature-every', '10');
    assert.deepEqual(d.curvature.map((c: { step: number }) => c.step), [0, 10, 20, 30, 40, 50]);
    // The same SGD trajectory in float64: params before update k.
    const trajectory: Array<[number, number]> = [[-1.2, 1]];
    for (let k = 0; k < 50; k++) {
      const [x, y] = trajectory[k];
      const [gx, gy] = gradient(x, y);
      trajectory.push([x - lr * gx, y - lr * gy]);
    }
    // The float64 replay ends where the run ended (float32): the comparison below is at the run's own params.
    const [fx, fy] = d.final.params as number[];
    assert.ok(Math.hypot(fx - trajectory[50][0], fy - trajectory[50][1]) < 1e-4, `final (${fx}, ${fy}) vs ${trajectory[50]}`);
    for (const c of d.curvature) {
      curvatureSampleSchema.parse(c);
      const [x, y] = c.step === 50 ? [fx, fy] : trajectory[c.step];
      const [lambdaMin, lambdaMax] = eigenvalues(x, y);
      assert.equal(c.method, 'exact');
      assert.ok(Math.abs(c.lambdaMax - lambdaMax) <= 1e-4 * lambdaMax, `step ${c.step}: λmax ${c.lambdaMax} vs ${lambdaMax}`);
      assert.ok(Math.abs(c.lambdaMin - lambdaMin) <= 1e-5 * lambdaMax + 1e-3 * Math.abs(lambdaMin), `step ${c.step}: λmin ${c.lambdaMin} vs ${lambdaMin}`);
      if (lambdaMin > 0) assert.ok(Math.abs(c.condition / (lambdaMax / lambdaMin) - 1) < 2e-3, `step ${c.step}: κ ${c.condition}`);
      else assert.equal(c.condition, null);
    }
    // Step 0 is (−1.2, 1): H = [[1330, 480], [480, 200]].
    const [min0, max0] = eigenvalues(-1.2, 1);
    assert.ok(Math.abs(min0 - (765 - Math.sqrt(765 ** 2 - 35600))) < 1e-9 && Math.abs(max0 - (765 + Math.sqrt(765 ** 2 - 35600))) < 1e-9);
    assert.equal(d.curvatureError, null);
  });

  it("--curvature-every auto samples at step 0 and at the final point", () => {
    const d = runJson('auto.json', `${EXAMPLES}/rosenbrock.ts`, '--optimizer', 'adam', '--lr', '0.01', '--steps', '200', '--curvature-every', 'auto');
    const steps = d.curvature.map((c: { step: number }) => c.step);
    assert.equal(steps[0], 0);
    assert.equal(steps[steps.length - 1], 200);
    steps.slice(1).forEach((s: number, i: number) => assert.ok(s > steps[i]));
    for (const c of d.curvature) curvatureSampleSchema.parse(c);
  });

  it("an unsupported second derivative is curvatureError kind 'second-derivative' and the run completes", () => {
    const d = runJson('pooled.json', fixture('curvature.ts'), '--objective', 'pooled', '--optimizer', 'sgd', '--lr', '0.05', '--steps', '10', '--curvature-every', '2');
    assert.equal(d.status, 'completed');
    assert.equal(d.steps.length, 10);
    assert.deepEqual(d.curvature, []);
    runErrorSchema.parse(d.curvatureError);
    assert.equal(d.curvatureError.kind, 'second-derivative');
    assert.match(d.curvatureError.message, /second derivative not supported for op maxPool/);
    assert.equal(d.error, null);
  });

  it("rejects --curvature-every that is neither an integer nor 'auto'", () => {
    const r = spawnSync(process.execPath, [cli, 'run', `${EXAMPLES}/rosenbrock.ts`, '--curvature-every', 'often'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--curvature-every must be an integer >= 0 or 'auto', got 'often'/);
  });
});
