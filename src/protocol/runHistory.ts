/**
 * Folds dashboard events into run snapshots. The host keeps its history with
 * it, the report builds its snapshot with it and the webview applies events
 * with it, so all three agree on what a run is.
 */
import type { DashboardEvent, RunSnapshot } from './webview';

export function emptyRun(runId: string): RunSnapshot {
  return { runId, steps: [], curvature: [], lrChanges: [] };
}

/**
 * Applies one event to `runs` (mutated in place, in insertion order) and
 * returns the run it touched; an error without a runId touches none.
 */
export function applyDashboardEvent(runs: Map<string, RunSnapshot>, event: DashboardEvent): RunSnapshot | undefined {
  if (event.type === 'error' && event.runId === undefined) return undefined;
  const runId = event.runId as string;
  let run = runs.get(runId);
  if (!run) {
    run = emptyRun(runId);
    runs.set(runId, run);
  }
  switch (event.type) {
    case 'started':
      run.meta = event.meta;
      if (event.file !== undefined) run.file = event.file;
      if (event.group !== undefined) run.group = event.group;
      break;
    case 'steps':
      // Idempotent: a snapshot taken while events were still queued already holds them,
      // so a record that is not past the last one is a repeat, not new data.
      for (const s of event.steps) {
        const last = run.steps[run.steps.length - 1];
        if (last === undefined || s.step > last.step) run.steps.push(s);
      }
      break;
    case 'curvature':
      if (!run.curvature.some((c) => c.step === event.sample.step && c.lambdaMax === event.sample.lambdaMax)) {
        run.curvature.push(event.sample);
      }
      break;
    case 'done':
      run.done = event;
      break;
    case 'error':
      run.error = event.error;
      break;
    case 'lrChanged':
      if (!run.lrChanges.some((c) => c.step === event.step && c.lr === event.lr)) run.lrChanges.push({ step: event.step, lr: event.lr });
      break;
    case 'landscape':
      if (event.grid) run.landscape = event.grid;
      if (event.warning) run.landscapeWarning = event.warning;
      break;
  }
  return run;
}

/** Builds snapshots from a recorded event stream (the CLI's report). */
export function runsFromEvents(events: readonly DashboardEvent[]): RunSnapshot[] {
  const runs = new Map<string, RunSnapshot>();
  for (const e of events) applyDashboardEvent(runs, e);
  return [...runs.values()];
}

export type RunStatus =
  | { kind: 'waiting' } | { kind: 'running' } | { kind: 'done'; status: string }
  | { kind: 'diverged'; step: number } | { kind: 'error'; message: string };

/** The run table's status column. */
export function runStatus(run: RunSnapshot): RunStatus {
  if (run.error && run.error.kind !== 'diverged') return { kind: 'error', message: run.error.message };
  if (run.done?.status === 'diverged' || run.error?.kind === 'diverged') {
    const said = /step (\d+)/.exec(run.done?.message ?? run.error?.message ?? '');
    const lastGood = run.steps.length > 0 ? run.steps[run.steps.length - 1].step + 1 : 0;
    return { kind: 'diverged', step: said ? Number(said[1]) : lastGood };
  }
  if (run.done) return { kind: 'done', status: run.done.status };
  return run.meta ? { kind: 'running' } : { kind: 'waiting' };
}
