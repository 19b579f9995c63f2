import { strict as assert } from 'node:assert';
import { runsFromEvents } from '../../../src/protocol/runHistory';
import type { DashboardEvent } from '../../../src/protocol/webview';

const step = (k: number) => ({ step: k, loss: 10 - k, gradNorm: 1, updateNorm: 0.1, lr: 0.1, evals: k + 1, wallMs: k });

describe('runHistory', () => {
  it('folds a repeated batch once: a snapshot taken while events were queued may be followed by those events', () => {
    const events: DashboardEvent[] = [
      { type: 'steps', runId: 'r', steps: [step(0), step(1), step(2)] },
      { type: 'steps', runId: 'r', steps: [step(1), step(2), step(3)] },
      { type: 'lrChanged', runId: 'r', step: 2, lr: 0.05 },
      { type: 'lrChanged', runId: 'r', step: 2, lr: 0.05 },
    ];
    const [run] = runsFromEvents(events);
    assert.deepEqual(run.steps.map((s) => s.step), [0, 1, 2, 3]);
    assert.deepEqual(run.lrChanges, [{ step: 2, lr: 0.05 }]);
  });
});
