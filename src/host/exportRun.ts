/**
 * A dashboard run as the CLI's documented `--json` record or its CSV, so an
 * export from the editor and `optlab run --json` have the same schema.
 */
import type { RunSnapshot } from '../protocol/webview';
import type { RunOutcome } from '../runner/client';
import { RunRecorder, toCsv, type RunRecord } from '../runner/runRecorder';

export function runRecord(run: RunSnapshot, request: { file: string; optimizer: string; seed: number }): RunRecord {
  const recorder = new RunRecorder();
  if (run.meta) recorder.onStarted(run.meta);
  recorder.onSteps(run.steps.map(({ params: _params, ...s }) => s));
  for (const c of run.curvature) recorder.onCurvature(c);
  const outcome: RunOutcome = run.done
    ? { kind: 'done', done: run.done }
    : { kind: 'error', error: run.error ?? { kind: 'internal', message: 'the run has not finished' } };
  return recorder.record(outcome, { ...request, maximize: false });
}

export function exportRun(run: RunSnapshot, format: 'json' | 'csv', request: { file: string; optimizer: string; seed: number }): string {
  if (format === 'csv') return toCsv(run.steps);
  return `${JSON.stringify(runRecord(run, request), null, 2)}\n`;
}
