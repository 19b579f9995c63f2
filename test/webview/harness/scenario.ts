/** The demo scenario shared by tests, screenshots and the report test: four runs on Rosenbrock and one ghost. */
import { runsFromEvents } from '../../../src/protocol/runHistory';
import type { DashboardEvent, HostToWebviewInput, RunSnapshot } from '../../../src/protocol/webview';
import { builtIns } from './catalogue';
import { allEvents, landscapeGrid, type RunPlan } from './eventStream';

export const plans: RunPlan[] = [
  { runId: 'adam', optimizer: 'adam', lr: 0.02, steps: 2000, curvatureEvery: 50 },
  { runId: 'momentum', optimizer: 'momentum', lr: 0.0005, steps: 2000, curvatureEvery: 50 },
  { runId: 'sgd-cosine', optimizer: 'sgd', lr: 0.002, steps: 2000, schedule: 'cosine' },
  { runId: 'sgd-big', optimizer: 'sgd', lr: 0.01, steps: 2000 },
];

export const ghostPlan: RunPlan = { runId: 'adam-v0', optimizer: 'adam', lr: 0.005, steps: 2000 };

export function scenarioEvents(): DashboardEvent[] {
  const events: DashboardEvent[] = [];
  for (const p of plans) {
    const run = allEvents(p);
    events.push(run[0]);
    if (p.runId === 'adam') events.push({ type: 'landscape', runId: 'adam', grid: landscapeGrid() });
    events.push(...run.slice(1));
    if (p.runId === 'momentum') events.push({ type: 'lrChanged', runId: 'momentum', step: 800, lr: 0.0008 });
  }
  return events;
}

export function scenarioRuns(): RunSnapshot[] {
  return runsFromEvents(scenarioEvents());
}

export function scenarioSnapshot(): HostToWebviewInput {
  return {
    type: 'snapshot', version: 2, runs: scenarioRuns(), ghosts: runsFromEvents(allEvents(ghostPlan)), banner: null,
    optimizers: builtIns('sgd', 'adam'),
    target: { file: '/work/examples/rosenbrock.ts', objective: 'rosenbrock' },
  };
}
