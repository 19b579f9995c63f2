/**
 * Records one run's events as the dashboard reads them, for a static report
 * (`--report`): the same stream the editor's dashboard receives, so the report
 * draws exactly what the panel would.
 */
import type { CurvatureSample, LandscapeMessage, RunMeta, StepRecord } from '../protocol/runner';
import type { DashboardEvent } from '../protocol/webview';
import type { RunHandlers, RunOutcome } from './client';

export class EventLog implements RunHandlers {
  readonly events: DashboardEvent[] = [];

  constructor(readonly runId: string, private readonly file: string) {}

  onStarted(meta: RunMeta, file?: string): void {
    this.events.push({ type: 'started', runId: this.runId, meta, file: file ?? this.file });
  }
  onSteps(steps: readonly StepRecord[]): void {
    this.events.push({ type: 'steps', runId: this.runId, steps: [...steps] });
  }
  onCurvature(sample: CurvatureSample): void {
    this.events.push({ type: 'curvature', runId: this.runId, sample });
  }
  onLrChanged(step: number, lr: number): void {
    this.events.push({ type: 'lrChanged', runId: this.runId, step, lr });
  }
  onLandscape(landscape: Omit<LandscapeMessage, 'type' | 'runId'>): void {
    this.events.push({ type: 'landscape', runId: this.runId, ...landscape });
  }
  /** The run's end: its 'done' event, or its error. */
  finish(outcome: RunOutcome): void {
    this.events.push(outcome.kind === 'done' ? outcome.done : { type: 'error', runId: this.runId, error: outcome.error });
  }
}

/** Handlers that forward every event to each of `targets` in order. */
export function teeHandlers(...targets: RunHandlers[]): RunHandlers {
  return {
    onStarted: (meta, file) => targets.forEach((t) => t.onStarted?.(meta, file)),
    onSteps: (steps) => targets.forEach((t) => t.onSteps?.(steps)),
    onCurvature: (sample) => targets.forEach((t) => t.onCurvature?.(sample)),
    onLrChanged: (step, lr) => targets.forEach((t) => t.onLrChanged?.(step, lr)),
    onLandscape: (landscape) => targets.forEach((t) => t.onLandscape?.(landscape)),
  };
}
