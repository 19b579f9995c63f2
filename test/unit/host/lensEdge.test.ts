import { strict as assert } from 'node:assert';
import { summarizeRun } from '../../../src/host/lensTitles';
import { emptyRun } from '../../../src/protocol/runHistory';
import type { CurvatureSample } from '../../../src/protocol/runner';
import type { RunSnapshot } from '../../../src/protocol/webview';

function finished(extra: Partial<CurvatureSample>): RunSnapshot {
  const run = emptyRun('r1');
  run.steps.push({ step: 0, loss: 1, gradNorm: 1, updateNorm: 0, lr: 0.1, evals: 1, wallMs: 1 });
  run.curvature.push({ step: 1, lambdaMax: 19.5, lambdaMin: 1, condition: 19.5, residualMax: 0, residualMin: 0, method: 'exact', ...extra });
  run.done = { type: 'done', runId: 'r1', status: 'completed', final: { loss: 0.5, gradNorm: 0, params: [1] }, stepsPerSecond: 1, wallMs: 1, evals: 1 };
  return run;
}

describe('lens: the edge of stability (issue 21)', () => {
  it('says "at the edge" when the last sample sits within 10% of its limit, "past" beyond it, nothing below it or without one', () => {
    assert.match(summarizeRun(finished({ sharpness: 19.5, sharpnessResidual: 0, sharpnessLimit: 20 })) ?? '', / · at the edge of stability$/);
    assert.match(summarizeRun(finished({ sharpness: 30, sharpnessResidual: 0, sharpnessLimit: 20 })) ?? '', / · past the edge of stability$/);
    assert.doesNotMatch(summarizeRun(finished({ sharpness: 10, sharpnessResidual: 0, sharpnessLimit: 20 })) ?? '', /edge/);
    assert.doesNotMatch(summarizeRun(finished({ sharpness: 19.5, sharpnessLimit: null })) ?? '', /edge/);
  });
});
