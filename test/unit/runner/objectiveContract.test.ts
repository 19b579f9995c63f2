import { strict as assert } from 'node:assert';
import { fixture, runInProcess } from './runInProcess';

const close = (a: number, b: number, tol = 1e-4) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

describe('runner: the objective-file contract', () => {
  it('runs a single tensor parameter of any shape (2×2 matrix) and reports it flat', async () => {
    const r = await runInProcess({ file: fixture('params.ts'), objective: 'matrix', optimizer: { id: 'sgd', lr: 0.5 }, steps: 3 });
    assert.equal(r.error, undefined);
    assert.equal(r.meta?.paramCount, 4);
    assert.deepEqual(r.meta?.paramNames, ['x[0,0]', 'x[0,1]', 'x[1,0]', 'x[1,1]']);
    // ½‖X − T‖² with lr 0.5 halves the distance to T each step: loss 15, 3.75, 0.9375; final 0.234375.
    assert.deepEqual(r.steps.map((s) => s.loss), [15, 3.75, 0.9375]);
    assert.equal(r.done?.final.loss, 0.234375);
    assert.deepEqual(r.done?.final.params, [0.875, 1.75, 2.625, 3.5]);
    assert.equal(r.meta?.minimum, 0);
    assert.equal(r.leaked, 0);
  });

  it('runs a record of named parameters and flattens it in declaration order', async () => {
    const r = await runInProcess({ file: fixture('params.ts'), objective: 'record', optimizer: { id: 'sgd', lr: 0.1 }, steps: 200 });
    assert.equal(r.error, undefined);
    assert.deepEqual(r.meta?.paramNames, ['w[0,0]', 'w[1,0]', 'b[0]']);
    assert.deepEqual(r.meta?.initialParams, [0, 0, 0]);
    // Two equations, three unknowns: the residual vanishes (w0 + b = 3, w1 + b = −1).
    const [w0, w1, b] = r.done?.final.params ?? [];
    close(w0 + b, 3, 1e-3);
    close(w1 + b, -1, 1e-3);
    assert.equal(r.leaked, 0);
  });

  it('calls init(rng) with a seeded generator: same seed, same start; other seed, other start', async () => {
    const a = await runInProcess({ file: fixture('params.ts'), objective: 'seeded', steps: 1, seed: 7 });
    const b = await runInProcess({ file: fixture('params.ts'), objective: 'seeded', steps: 1, seed: 7 });
    const c = await runInProcess({ file: fixture('params.ts'), objective: 'seeded', steps: 1, seed: 8 });
    assert.equal(a.meta?.paramCount, 10);
    assert.deepEqual(a.meta?.initialParams, b.meta?.initialParams);
    assert.notDeepEqual(a.meta?.initialParams, c.meta?.initialParams);
    assert.ok(a.meta?.initialParams.every((v) => v !== 0));
  });

  it('draws stochastic batches without replacement: each epoch covers every sample exactly once', async () => {
    const g = globalThis as unknown as { optlabSeenBatches?: number[][] };
    g.optlabSeenBatches = [];
    // 10 samples, batch 3: 4 batches per epoch (3, 3, 3, 1); 8 steps = 2 epochs.
    // Every call of the objective is recorded: no landscape (its grid would add calls on the fixed batch),
    // and on tensors (compiled, the objective is called only while traced; compiledRun.test.ts checks its batches).
    const r = await runInProcess({ file: fixture('stochastic.ts'), steps: 8, seed: 3, landscape: false, compile: false });
    assert.equal(r.error, undefined);
    assert.equal(r.meta?.paramCount, 1);
    // Calls: the probe (batch of step 0), then one per step, then the final point on the full data set.
    const calls = g.optlabSeenBatches;
    assert.equal(calls.length, 1 + 8 + 1);
    const perStep = calls.slice(1, 9);
    assert.deepEqual(perStep.map((b) => b.length), [3, 3, 3, 1, 3, 3, 3, 1]);
    const all = Array.from({ length: 10 }, (_, i) => i);
    for (const epoch of [perStep.slice(0, 4), perStep.slice(4, 8)]) assert.deepEqual(epoch.flat().sort((a, b) => a - b), all);
    // Shuffled, and differently in each epoch.
    assert.notDeepEqual(perStep[0], [0, 1, 2]);
    assert.notDeepEqual(perStep.slice(0, 4).flat(), perStep.slice(4, 8).flat());
    assert.deepEqual(calls[9].sort((a, b) => a - b), all);
    // The same seed draws the same batches.
    g.optlabSeenBatches = [];
    await runInProcess({ file: fixture('stochastic.ts'), steps: 8, seed: 3, landscape: false, compile: false });
    assert.deepEqual(g.optlabSeenBatches.slice(1, 9), perStep);
    assert.equal(r.leaked, 0);
    delete g.optlabSeenBatches;
  });

  it('applies constraints after every update: nonnegative, ball, box, and a projection function', async () => {
    const run = (objective: string) => runInProcess({ file: fixture('constrained.ts'), objective, optimizer: { id: 'sgd', lr: 0.1 }, steps: 100 });
    const nonneg = await run('nonneg');
    close(nonneg.done?.final.params[0] ?? NaN, 0);
    close(nonneg.done?.final.params[1] ?? NaN, 2);
    const ball = await run('ball');
    close(ball.done?.final.params[0] ?? NaN, 0.6);
    close(ball.done?.final.params[1] ?? NaN, 0.8);
    const box = await run('box');
    assert.deepEqual(box.done?.final.params, [1, -2]);
    const line = await run('onLine');
    assert.equal(line.done?.final.params[0], 0);
    close(line.done?.final.params[1] ?? NaN, 3);
    for (const r of [nonneg, ball, box, line]) assert.equal(r.leaked, 0);
  });

  it('samples curvature every K steps and at the final point (--curvature-every)', async () => {
    const r = await runInProcess({ file: fixture('params.ts'), objective: 'matrix', optimizer: { id: 'sgd', lr: 0.1 }, steps: 20, curvatureEvery: 10 });
    assert.equal(r.error, undefined);
    assert.equal(r.done?.message, undefined);
    assert.deepEqual(r.curvature.map((c) => c.step), [0, 10, 20]);
    // ½‖X − T‖²: the Hessian is the identity (κ = 1).
    for (const c of r.curvature) {
      close(c.lambdaMax, 1);
      close(c.lambdaMin, 1);
      close(c.condition ?? NaN, 1);
    }
    assert.equal(r.leaked, 0);
  });

  it('maximises with maximize: true (the loss reported is the minimised −f)', async () => {
    const r = await runInProcess({ file: fixture('single.ts'), optimizer: { id: 'sgd', lr: 0.1, maximize: true }, steps: 3 });
    // f = ½‖x‖² grows away from the origin under ascent: x ← 1.1·x.
    assert.deepEqual(r.done?.final.params.map((v) => Number(v.toFixed(4))), [3.993, -5.324]);
  });
});
