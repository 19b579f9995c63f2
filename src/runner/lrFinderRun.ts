/**
 * A run request with `lrFinder` is the learning-rate range test (src/core/tuning/lrFinder.ts), run here in
 * the runner so that `optlab lr-find` and the editor's "Find lr" share one code path: the request becomes a
 * run at lr `from` with the ExponentialLR schedule that reaches `to` at the last step; every steps batch
 * feeds the trace, whose new points leave as an `lrFinder` event; the run is stopped once the trace says
 * so (smoothed loss above 4× its best, or a non-finite loss); the suggestions go out just before `done`.
 */
import { LR_FINDER_DEFAULTS, LrFinderTrace, lrFinderSchedule, suggestLrs } from '../core/tuning/lrFinder';
import type { RunRequest, RunnerToHost } from '../protocol/runner';
import { RunFailure } from './runFailure';

export interface LrFinderRun {
  /** The request the loop runs (unchanged without `lrFinder`). */
  readonly request: RunRequest;
  /** Forwards the loop's events, adding the test's own. */
  readonly emit: (message: RunnerToHost) => void;
  /** True once the test is over: the run should stop. */
  readonly stopped: () => boolean;
}

/** Wraps a request and its event sink; a request without `lrFinder` passes through untouched. */
export function lrFinderRun(req: RunRequest, emit: (message: RunnerToHost) => void): LrFinderRun {
  if (!req.lrFinder) return { request: req, emit, stopped: () => false };
  // What the request leaves out is fastai's default (one source: core's LR_FINDER_DEFAULTS).
  const range = { ...LR_FINDER_DEFAULTS, ...req.lrFinder };
  let schedule: string;
  try {
    schedule = lrFinderSchedule(range);
  } catch (e) {
    throw new RunFailure({ kind: 'hyperparameter', message: (e as Error).message, file: req.file });
  }
  // The test owns the lr and the length: a schedule (spec or function) in the request would fight it.
  const { scheduleFile: _ignored, ...rest } = req;
  const request: RunRequest = { ...rest, optimizer: { ...req.optimizer, lr: range.from }, schedule, steps: range.steps };
  emit({ type: 'lrFinder', runId: req.runId, range, points: [] });
  const trace = new LrFinderTrace();
  const wrapped = (message: RunnerToHost): void => {
    if (message.type === 'done' && message.runId === req.runId) {
      const final = { ...(trace.stoppedAt !== undefined ? { stoppedAt: trace.stoppedAt } : {}), suggestions: suggestLrs(trace.points, range.steps) };
      emit({ type: 'lrFinder', runId: req.runId, range, points: [], final });
    }
    emit(message);
    if (message.type !== 'steps' || message.runId !== req.runId) return;
    const before = trace.points.length;
    // Steps after the stop (the loop finishes its batch) are drawn but not part of the test.
    for (const s of message.steps) if (trace.push(s.step, s.lr, s.loss)) break;
    if (trace.points.length > before) emit({ type: 'lrFinder', runId: req.runId, range, points: trace.points.slice(before) });
  };
  return { request, emit: wrapped, stopped: () => trace.stoppedAt !== undefined };
}
