import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { listObjectives } from '../../../src/runner/listObjectives';
import { EXAMPLES, fixture, runInProcess, type InProcessResult } from './runInProcess';

/** Optimizer rules from users' files, run end to end through the runner (in process, cpu backend). */
const RULES = path.resolve(__dirname, '../../fixtures/rules');
const ROSENBROCK = path.join(EXAMPLES, 'rosenbrock.ts');
const LION = path.join(EXAMPLES, 'lion.ts');
const MY_ADAM = path.join(EXAMPLES, 'myAdam.ts');

function ok(r: InProcessResult): InProcessResult {
  assert.equal(r.error, undefined, r.error?.message);
  assert.equal(r.done?.status, 'completed');
  assert.equal(r.leaked, 0);
  return r;
}

/** 1-based line of the first line of `file` containing `text`. */
const lineOf = (file: string, text: string) => fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(text)) + 1;
const close = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

describe('runner: optimizer rules from workspace files', function () {
  this.timeout(60_000);

  it('myAdam (examples/myAdam.ts) equals the built-in adam step for step on Rosenbrock (losses within relative 1e-5)', async () => {
    for (const compile of [true, false]) {
      const steps = 200;
      const builtIn = ok(await runInProcess({ file: ROSENBROCK, optimizer: { id: 'adam', lr: 0.05 }, steps, compile }));
      const mine = ok(await runInProcess({ file: ROSENBROCK, optimizer: { id: 'myAdam', lr: 0.05, rule: { file: MY_ADAM } }, steps, compile }));
      assert.equal(mine.steps.length, steps);
      assert.equal(builtIn.steps.length, steps);
      mine.steps.forEach((s, k) => {
        const ref = builtIn.steps[k].loss;
        assert.ok(Math.abs(s.loss - ref) <= 1e-5 * Math.abs(ref), `compile ${compile}, step ${k}: ${s.loss} vs ${ref}`);
      });
      const [a, b] = [mine.done?.final.loss ?? NaN, builtIn.done?.final.loss ?? NaN];
      assert.ok(Math.abs(a - b) <= 1e-5 * b, `final ${a} vs ${b}`);
      // The runs went somewhere: equal losses of two runs that stood still would prove nothing.
      assert.ok(b < mine.steps[0].loss / 2, `final ${b} vs start ${mine.steps[0].loss}`);
    }
  });

  it("Lion's first two updates match the hand derivation (momentum overrules the gradient's sign in update 2)", async () => {
    /*
     * single.ts: f(x) = 0.5·Σx², so g = x; x0 = (3, −4). Lion with lr 2.5, β1 0.9, β2 0.99, weight decay 0.1,
     * m0 = 0; each update: c = β1·m + (1 − β1)·g; x ← x·(1 − lr·λ) − lr·sign(c); m ← β2·m + (1 − β2)·g.
     * Update 1: g0 = (3, −4); c = 0.1·(3, −4) = (0.3, −0.4), sign (+, −);
     *   x1 = (3, −4)·0.75 − 2.5·(1, −1) = (2.25 − 2.5, −3 + 2.5) = (−0.25, −0.5); m1 = 0.01·(3, −4) = (0.03, −0.04).
     * Update 2: g1 = (−0.25, −0.5); c = 0.9·(0.03, −0.04) + 0.1·(−0.25, −0.5) = (0.027 − 0.025, −0.036 − 0.05)
     *   = (0.002, −0.086), sign (+, −): x's gradient is negative, but the momentum wins, so x moves down again;
     *   x2 = (−0.25, −0.5)·0.75 − 2.5·(1, −1) = (−0.1875 − 2.5, −0.375 + 2.5) = (−2.6875, 2.125).
     * Losses: f(x0) = 12.5, f(x1) = 0.5·(0.0625 + 0.25) = 0.15625, f(x2) = 0.5·(7.22265625 + 4.515625) = 5.869140625.
     */
    const r = ok(await runInProcess({
      file: fixture('single.ts'),
      optimizer: { id: 'lion', lr: 2.5, hp: { weight_decay: '0.1' }, rule: { file: LION } },
      steps: 2,
    }));
    const tol = 1e-6;
    assert.deepEqual(r.steps.map((s) => s.step), [0, 1]);
    close(r.steps[0].loss, 12.5, tol, 'f(x0)');
    close(r.steps[1].loss, 0.15625, tol, 'f(x1)');
    const [x1, y1] = r.steps[1].params ?? [];
    close(x1, -0.25, tol, 'x1[0]');
    close(y1, -0.5, tol, 'x1[1]');
    const [x2, y2] = r.done?.final.params ?? [];
    close(x2, -2.6875, tol, 'x2[0]');
    close(y2, 2.125, tol, 'x2[1]');
    close(r.done?.final.loss ?? NaN, 5.869140625, 1e-5, 'f(x2)');
    // The run says what ran: the rule by name, its file, every hyperparameter (strings from --hp coerced).
    assert.deepEqual(r.meta?.optimizer, { id: 'lion', lr: 2.5, hp: { beta1: 0.9, beta2: 0.99, weight_decay: 0.1 }, file: LION });
  });

  it("Lion from its file (no #name: the file's only rule) and its defaults; Rosenbrock's loss falls", async () => {
    const r = ok(await runInProcess({ file: ROSENBROCK, optimizer: { id: '', lr: 0.01, rule: { file: LION } }, steps: 100 }));
    assert.equal(r.meta?.optimizer.id, 'lion');
    assert.equal(r.meta?.optimizer.file, LION);
    assert.ok((r.done?.final.loss ?? Infinity) < r.steps[0].loss / 2, `${r.done?.final.loss}`);
    // Without --lr the rule's default lr (1e-4) is the run's.
    const slow = ok(await runInProcess({ file: ROSENBROCK, optimizer: { id: 'lion', rule: { file: LION } }, steps: 3 }));
    assert.equal(slow.meta?.optimizer.lr, 1e-4);
    assert.ok(slow.steps.every((s) => s.lr === 1e-4));
  });

  it('a rule in the objective\'s own file: one module, each parameter tensor updated in its own shape', async () => {
    const file = path.join(RULES, 'withObjective.ts');
    const r = ok(await runInProcess({ file, optimizer: { id: 'rankScaledSgd', rule: { file } }, steps: 1 }));
    // w (rank 2) → 0.6·w, b (rank 1) → 0.2: see the rule's comment.
    const expected = [0.6, 1.2, 1.8, 2.4, 0.2];
    (r.done?.final.params ?? []).forEach((v, i) => close(v, expected[i], 1e-6, `params[${i}]`));
    assert.equal(r.done?.final.params.length, 5);
    assert.equal(r.meta?.optimizer.file, file);
  });

  it('tuple and named hyperparameters of a rule: --hp strings ("a,b") are coerced, defaults fill the rest', async () => {
    const file = path.join(RULES, 'rules.ts');
    const r = ok(await runInProcess({ file: fixture('single.ts'), optimizer: { id: 'heavyBall', hp: { betas: '0.5,0.6', momentum: '0' }, rule: { file } }, steps: 1 }));
    assert.deepEqual(r.meta?.optimizer.hp, { momentum: 0, betas: [0.5, 0.6] });
    // One plain gradient step with the default lr 0.01 from (3, −4): x − 0.01·x.
    const [x, y] = r.done?.final.params ?? [];
    close(x, 2.97, 1e-6, 'x');
    close(y, -3.96, 1e-6, 'y');
  });

  it("list answers a file's rules (name, line, summary, defaults, scope) beside its objectives", async () => {
    const before = tf.memory().numTensors;
    const lion = await listObjectives(LION, undefined, tf);
    assert.equal(lion.error, undefined);
    assert.deepEqual(lion.objectives, []);
    assert.equal(lion.optimizers.length, 1);
    const [info] = lion.optimizers;
    assert.equal(info.name, 'lion');
    assert.deepEqual(info.defaults, { lr: 1e-4, beta1: 0.9, beta2: 0.99, weight_decay: 0 });
    assert.equal(info.scope, 'tensor');
    assert.match(info.summary ?? '', /Chen et al\. 2023/);
    assert.equal(info.line, lineOf(LION, 'export const lion'));
    assert.equal(info.problem, undefined);

    const both = await listObjectives(path.join(RULES, 'withObjective.ts'), undefined, tf);
    assert.deepEqual(both.objectives.map((o) => [o.name, o.paramCount]), [['bowl', 5]]);
    assert.deepEqual(both.optimizers.map((o) => o.name), ['rankScaledSgd']);

    const bad = await listObjectives(path.join(RULES, 'badRules.ts'), undefined, tf);
    // In the file's order, each with its declaration line; the rule without lr says so.
    const badFile = path.join(RULES, 'badRules.ts');
    const names = ['noLr', 'throwsAtStep4', 'wrongShape', 'throwsInInit'];
    assert.deepEqual(bad.optimizers.map((o) => [o.name, o.line]), names.map((n) => [n, lineOf(badFile, `export const ${n} =`)]));
    assert.match(bad.optimizers[0].problem ?? '', /defaults\.lr must be a number >= 0, got undefined/);
    assert.deepEqual(bad.optimizers[0].defaults, { beta: 0.9 });
    assert.equal(tf.memory().numTensors, before);
  });
});
