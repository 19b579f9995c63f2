import { strict as assert } from 'node:assert';
import { formatNumber, lensTitles, problemTitle, summarizeRun } from '../../../src/host/lensTitles';
import { emptyRun } from '../../../src/protocol/runHistory';
import type { RunSnapshot } from '../../../src/protocol/webview';

function finishedRun(loss: number, steps: number, condition: number | null): RunSnapshot {
  const run = emptyRun('r1');
  for (let k = 0; k < steps; k++) run.steps.push({ step: k, loss: 1, gradNorm: 1, updateNorm: 0, lr: 0.1, evals: k + 1, wallMs: k });
  run.curvature.push({ step: steps, lambdaMax: 1200, lambdaMin: 1, condition, residualMax: 0, residualMin: 0, method: 'exact' });
  run.done = { type: 'done', runId: 'r1', status: 'completed', final: { loss, gradNorm: 0, params: [1, 1] }, stepsPerSecond: 1, wallMs: 1, evals: steps };
  return run;
}

describe('lensTitles', () => {
  it('names the default optimizer before any run', () => {
    assert.deepEqual(lensTitles('adam'), { run: '▶ Run (adam)', compare: 'Compare', hessian: 'Hessian', landscape: 'Landscape' });
  });

  it('carries the last result inline after a run', () => {
    assert.equal(lensTitles('adam', finishedRun(3.1e-6, 500, 1200)).run, '▶ Run (adam) · 3.1e-6 after 500 steps · κ≈1.2e3');
  });

  it('shows κ as a bound, not a value, when Lanczos stopped before converging', () => {
    const run = finishedRun(3.1e-6, 500, null);
    Object.assign(run.curvature[0], { method: 'lanczos', converged: false, stoppedBy: 'time', conditionLowerBound: 987 });
    assert.equal(lensTitles('adam', run).run, '▶ Run (adam) · 3.1e-6 after 500 steps · κ≥987 (not converged)');
  });

  it('says why a run failed, with the line', () => {
    const run = emptyRun('r2');
    run.error = { kind: 'compile', message: 'Expected ";" but found "x"\nmore', line: 4, column: 2 };
    assert.equal(summarizeRun(run), '⚠ Expected ";" but found "x" (line 4)');
    assert.match(problemTitle('x'.repeat(200)), /^⚠ Cannot run: x{77}…$/);
  });

  it('reports divergence and running runs', () => {
    const run = finishedRun(NaN, 10, null);
    run.done = { ...run.done!, status: 'diverged', message: 'diverged at step 10' };
    assert.equal(summarizeRun(run), 'diverged: diverged at step 10');
    assert.equal(summarizeRun(emptyRun('r3')), undefined);
  });

  it('formats numbers short (3 digits, or 2 in exponent form)', () => {
    assert.deepEqual([0, 0.5, 12.345, 1234, 12345, 1e-7, -2e-5].map(formatNumber), ['0', '0.5', '12.3', '1.2e3', '1.2e4', '1.0e-7', '-2.0e-5']);
  });
});
