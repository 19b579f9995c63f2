import { strict as assert } from 'node:assert';
import { hostToWebviewSchema, type DashboardEvent } from '../../../src/protocol/webview';
import { optimizerCatalog } from '../../../src/core/optimizers/catalog';
import { DashboardState } from '../../../src/host/dashboardState';

const meta = {
  objective: 'f', optimizer: { id: 'adam', lr: 0.1, hp: {} }, paramCount: 2, paramNames: ['x0', 'x1'], steps: 3, seed: 0,
  backend: 'cpu' as const, tfjsVersion: '4.22.0', sourceHash: 'h', schedulePreview: [0.1, 0.1, 0.1], initialParams: [0, 0],
};
const step = (k: number) => ({ step: k, loss: 1 / (k + 1), gradNorm: 1, updateNorm: 0.1, lr: 0.1, evals: k + 1, wallMs: k });

function started(state: DashboardState, runId: string): void {
  state.addRun(runId, { target: { file: '/w/f.ts', objective: 'f' }, choice: { optimizer: 'adam' } });
  const events: DashboardEvent[] = [{ type: 'started', runId, meta }, { type: 'steps', runId, steps: [step(0), step(1)] }];
  for (const e of events) state.apply(e);
}

describe('DashboardState', () => {
  it('answers with a snapshot the webview protocol accepts', () => {
    const state = new DashboardState();
    state.optimizers = optimizerCatalog();
    started(state, 'a');
    const snap = hostToWebviewSchema.parse(state.snapshot());
    assert.equal(snap.type, 'snapshot');
    if (snap.type !== 'snapshot') return;
    assert.equal(snap.runs.length, 1);
    assert.equal(snap.runs[0].steps.length, 2);
    assert.equal(snap.runs[0].file, '/w/f.ts');
    assert.deepEqual(snap.target, { file: '/w/f.ts', objective: 'f' });
    const lbfgs = (snap.optimizers ?? []).find((o) => o.id === 'lbfgs');
    assert.deepEqual([lbfgs?.family, lbfgs?.torchClass, lbfgs?.defaultLr], ['quasi-newton', 'torch.optim.LBFGS', 1]);
  });

  it('turns the current runs into ghosts on a new version, dropping older ghosts', () => {
    const state = new DashboardState();
    started(state, 'a');
    assert.equal(state.newVersion(), 1);
    started(state, 'b');
    const snap1 = state.snapshot() as { runs: { runId: string }[]; ghosts: { runId: string }[] };
    assert.deepEqual([snap1.runs.map((r) => r.runId), snap1.ghosts.map((r) => r.runId)], [['b'], ['a']]);
    state.newVersion();
    const snap2 = state.snapshot() as { runs: unknown[]; ghosts: { runId: string }[]; version: number };
    assert.deepEqual([snap2.runs.length, snap2.ghosts.map((r) => r.runId), snap2.version], [0, ['b'], 2]);
  });

  it('ignores events of runs it no longer shows, and remembers what each run asked for', () => {
    const state = new DashboardState();
    started(state, 'a');
    state.clearRuns();
    assert.equal(state.apply({ type: 'steps', runId: 'a', steps: [step(2)] }), undefined);
    assert.equal(state.allRuns().length, 0);
    started(state, 'c');
    assert.deepEqual(state.currentOrigins(), [{ target: { file: '/w/f.ts', objective: 'f' }, choice: { optimizer: 'adam' } }]);
  });
});
