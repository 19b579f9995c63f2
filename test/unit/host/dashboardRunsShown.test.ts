import { strict as assert } from 'node:assert';
import { DashboardState } from '../../../src/host/dashboardState';
import { emptyRun } from '../../../src/protocol/runHistory';
import type { RunSnapshot } from '../../../src/protocol/webview';
import { meta, step } from './fakeRunner';

function started(state: DashboardState, runId: string, file: string, objective: string): void {
  state.addRun(runId, { target: { file, objective }, choice: {} });
  state.apply({ type: 'started', runId, meta: meta(objective), file });
  state.apply({ type: 'steps', runId, steps: [step(0), step(1)] });
}

function saved(runId: string, file: string, objective: string): RunSnapshot {
  return { ...emptyRun(runId), file, meta: meta(objective), steps: [step(0)] };
}

const shown = (state: DashboardState) => {
  const snap = state.snapshot() as { runs: { runId: string }[]; ghosts: { runId: string }[] };
  return { runs: snap.runs.map((r) => r.runId), ghosts: snap.ghosts.map((r) => r.runId) };
};

describe('DashboardState: what is drawn', () => {
  it('never mixes objectives: a run or a saved run of another objective replaces the shown ones (ghosts too)', () => {
    const state = new DashboardState();
    started(state, 'a', '/w/f.ts', 'bowl');
    state.newVersion();
    started(state, 'b', '/w/f.ts', 'bowl');
    assert.deepEqual(shown(state), { runs: ['b'], ghosts: ['a'] });
    started(state, 'c', '/w/f.ts', 'rosenbrock');
    assert.deepEqual(shown(state), { runs: ['c'], ghosts: [] });
    state.show(saved('s', '/w/g.ts', 'ring'));
    assert.deepEqual(shown(state), { runs: ['s'], ghosts: [] });
    assert.deepEqual(state.target, { file: '/w/g.ts', objective: 'ring' });
    state.show(saved('t', '/w/g.ts', 'ring'));
    assert.deepEqual(shown(state), { runs: ['s', 't'], ghosts: [] });
  });

  it('keeps pinned runs across a replacing run and a new code version, and does not re-run them live', () => {
    const state = new DashboardState();
    const pinned = new Set(['p']);
    state.isPinned = (id) => pinned.has(id);
    started(state, 'p', '/w/f.ts', 'bowl');
    started(state, 'q', '/w/f.ts', 'bowl');
    state.clearRuns();
    assert.deepEqual(shown(state), { runs: ['p'], ghosts: [] });
    started(state, 'r', '/w/f.ts', 'bowl');
    state.newVersion();
    assert.deepEqual(shown(state), { runs: ['p'], ghosts: ['r'] });
    assert.deepEqual(state.currentOrigins(), []);
  });

  it('hides a run or a ghost without forgetting the others', () => {
    const state = new DashboardState();
    started(state, 'a', '/w/f.ts', 'bowl');
    state.newVersion();
    started(state, 'b', '/w/f.ts', 'bowl');
    started(state, 'c', '/w/f.ts', 'bowl');
    state.hide('a');
    state.hide('b');
    assert.deepEqual(shown(state), { runs: ['c'], ghosts: [] });
    assert.equal(state.isShown('c'), true);
    assert.equal(state.isShown('b'), false);
  });
});
