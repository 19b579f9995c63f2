import { strict as assert } from 'node:assert';
import { EXAMPLES, compiledRecord, fixture, runInProcess, type InProcessResult } from './runInProcess';

/** Largest per-step relative difference of the losses of two runs (same steps expected). */
function worstLossDifference(a: InProcessResult, b: InProcessResult): number {
  assert.equal(a.steps.length, b.steps.length);
  return Math.max(...a.steps.map((s, k) => Math.abs(s.loss - b.steps[k].loss) / Math.max(Math.abs(b.steps[k].loss), 1e-12)));
}

describe('runner: the compiled path (the default; compile: false turns it off)', () => {
  it('compiles by default', async () => {
    const r = await runInProcess({ file: `${EXAMPLES}/rosenbrock.ts`, optimizer: { id: 'adam', lr: 0.01, hp: {} }, steps: 20, landscape: false });
    assert.equal(r.meta?.compute?.path, 'compiled');
  });

  it('an objective that throws while it is compiled stays on tensors, which report the error at its line', async () => {
    const r = await runInProcess({ file: fixture('bad.ts'), objective: 'throwsAlways', steps: 5, landscape: false });
    assert.equal(r.error?.kind, 'threw');
    assert.match(r.error?.message ?? '', /always explodes/);
    assert.equal(r.error?.file, fixture('bad.ts'));
    assert.equal(r.leaked, 0);
  });

  it('compiled, JS state in the objective runs only while it is traced: a call counter never reaches its throw (README)', async () => {
    const r = await runInProcess({ file: fixture('bad.ts'), objective: 'throwsLater', steps: 10, landscape: false });
    assert.equal(r.meta?.compute?.path, 'compiled');
    assert.equal(r.done?.status, 'completed');
  });

  it('runs Rosenbrock compiled with the same steps as the tensor path', async () => {
    const request = { file: `${EXAMPLES}/rosenbrock.ts`, optimizer: { id: 'adam', lr: 0.01, hp: {} }, steps: 300, landscape: false };
    const compiled = await runInProcess({ ...request, compile: true });
    const tensors = await runInProcess({ ...request, compile: false });
    assert.deepEqual(compiled.meta?.compute, compiledRecord());
    assert.equal(tensors.meta?.compute?.path, 'tensors');
    assert.match(tensors.meta?.compute?.reason ?? '', /compilation is turned off/);
    assert.equal(compiled.done?.status, 'completed');
    assert.ok(worstLossDifference(compiled, tensors) < 1e-5, `losses differ by ${worstLossDifference(compiled, tensors)}`);
    const [p, q] = [compiled.done?.final.params ?? [], tensors.done?.final.params ?? []];
    p.forEach((v, i) => assert.ok(Math.abs(v - q[i]) < 1e-5, `param ${i}: ${v} vs ${q[i]}`));
    assert.equal(compiled.leaked, 0);
  });

  it('runs a mini-batch MLP compiled: same batches, same losses, gradient clipping included', async () => {
    const request = { file: `${EXAMPLES}/mlpRegression.ts`, optimizer: { id: 'adam', lr: 0.01, hp: {}, clipNorm: 0.5 }, steps: 100, seed: 4, landscape: false };
    const compiled = await runInProcess({ ...request, compile: true });
    const tensors = await runInProcess({ ...request, compile: false });
    // Its layers' loops (batch × hidden elements) run as WebAssembly SIMD.
    assert.deepEqual(compiled.meta?.compute, compiledRecord(true));
    assert.ok(worstLossDifference(compiled, tensors) < 1e-4, `losses differ by ${worstLossDifference(compiled, tensors)}`);
    assert.ok(Math.abs((compiled.done?.final.loss ?? NaN) - (tensors.done?.final.loss ?? NaN)) < 1e-4 * Math.abs(tensors.done?.final.loss ?? 1));
    assert.equal(compiled.leaked, 0);
  });

  it('compiles constraint projections too: projected runs match the tensor path step by step', async () => {
    for (const objective of ['nonneg', 'ball', 'box', 'onLine']) {
      const request = { file: fixture('constrained.ts'), objective, optimizer: { id: 'sgd', lr: 0.05, hp: {} }, steps: 60, landscape: false };
      const compiled = await runInProcess({ ...request, compile: true });
      const tensors = await runInProcess({ ...request, compile: false });
      assert.deepEqual(compiled.meta?.compute, compiledRecord(), objective);
      assert.ok(worstLossDifference(compiled, tensors) < 1e-5, `${objective}: losses differ by ${worstLossDifference(compiled, tensors)}`);
      compiled.steps.forEach((s, k) => assert.ok(Math.abs(s.updateNorm - tensors.steps[k].updateNorm) <= 1e-5 * Math.max(1, tensors.steps[k].updateNorm), `${objective}: updateNorm at step ${k}`));
      const [p, q] = [compiled.done?.final.params ?? [], tensors.done?.final.params ?? []];
      p.forEach((v, i) => assert.ok(Math.abs(v - q[i]) < 1e-5, `${objective}: param ${i}: ${v} vs ${q[i]}`));
      assert.equal(compiled.leaked, 0);
    }
  });

  it('maximises compiled as on tensors, and samples curvature with the compiled Hessian-vector product', async () => {
    const hills = { file: `${EXAMPLES}/localMaximum.ts`, objective: 'hills', optimizer: { id: 'sgd', lr: 0.01, hp: {}, maximize: true }, steps: 200, landscape: false };
    const [up, upTensors] = [await runInProcess({ ...hills, compile: true }), await runInProcess({ ...hills, compile: false })];
    assert.deepEqual(up.meta?.compute, compiledRecord());
    assert.ok(worstLossDifference(up, upTensors) < 1e-5, `losses differ by ${worstLossDifference(up, upTensors)}`);
    // Records carry the minimised −f: it falls as f climbs.
    assert.ok((up.steps[199]?.loss ?? Infinity) < up.steps[0].loss - 1, 'climbs');

    // Rosenbrock chain of 100 parameters: Lanczos (above the exact-spectrum size) on both paths.
    const chain = { file: fixture('chain.ts'), optimizer: { id: 'adam', lr: 0.01, hp: {} }, steps: 40, curvatureEvery: 20, landscape: false };
    const [compiled, tensors] = [await runInProcess({ ...chain, compile: true }), await runInProcess({ ...chain, compile: false })];
    assert.equal(compiled.meta?.compute?.path, 'compiled');
    assert.deepEqual(compiled.curvature.map((c) => c.step), tensors.curvature.map((c) => c.step));
    assert.ok(compiled.curvature.length >= 3);
    compiled.curvature.forEach((c, k) => {
      const t = tensors.curvature[k];
      assert.ok(Math.abs(c.lambdaMax - t.lambdaMax) <= 1e-3 * Math.abs(t.lambdaMax), `step ${c.step}: λmax ${c.lambdaMax} vs ${t.lambdaMax}`);
      assert.ok(Math.abs(c.lambdaMin - t.lambdaMin) <= 1e-3 * Math.max(Math.abs(t.lambdaMax), 1), `step ${c.step}: λmin ${c.lambdaMin} vs ${t.lambdaMin}`);
    });
    assert.equal(compiled.done?.curvatureError, undefined);
    assert.equal(compiled.leaked, 0);
  });

  it('adds Langevin noise (with clipping) compiled as on tensors: the same noise, the same steps', async () => {
    const run = { file: `${EXAMPLES}/rosenbrock.ts`, steps: 60, landscape: false, seed: 3 };
    const noisy = { id: 'sgd', lr: 0.001, hp: {}, noiseTemperature: 0.05, clipNorm: 50 };
    const [compiled, tensors] = [await runInProcess({ ...run, optimizer: noisy, compile: true }), await runInProcess({ ...run, optimizer: noisy, compile: false })];
    assert.deepEqual(compiled.meta?.compute, compiledRecord());
    assert.ok(worstLossDifference(compiled, tensors) < 1e-5, `losses differ by ${worstLossDifference(compiled, tensors)}`);
    const [p, q] = [compiled.done?.final.params ?? [], tensors.done?.final.params ?? []];
    p.forEach((v, i) => assert.ok(Math.abs(v - q[i]) < 1e-5, `param ${i}: ${v} vs ${q[i]}`));
    // The noise is there: without it the run ends elsewhere.
    const quiet = await runInProcess({ ...run, optimizer: { ...noisy, noiseTemperature: 0 }, compile: true });
    assert.ok(Math.abs((quiet.done?.final.params ?? [])[0] - p[0]) > 1e-3, 'noise moved the run');
    assert.equal(compiled.leaked, 0);
  });

  it('stays on tensors, and says why, when part of the run has no plain-JS form', async () => {
    // This objective reads its batch with dataSync(): its computation could change from call to call.
    const reads = await runInProcess({ file: fixture('stochastic.ts'), steps: 4, compile: true, landscape: false });
    assert.equal(reads.meta?.compute?.path, 'tensors');
    assert.match(reads.meta?.compute?.reason ?? '', /reads tensor values \(dataSync\(\)\)/);
    assert.equal(reads.done?.status, 'completed');
    assert.equal(reads.leaked, 0);
  });
});
