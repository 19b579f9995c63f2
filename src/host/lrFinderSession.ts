/**
 * One learning-rate range test from the editor, without vscode: it asks the runner for a run with
 * `lrFinder` (the same request `optlab lr-find` makes; src/runner/lrFinderRun.ts runs the test and
 * computes the suggestions) and folds the runner's `lrFinder` events into the dashboard card's view.
 * No numerics here: the host only collects what the runner sends.
 */
import type { LrFinderView } from '../protocol/lrFinder';
import type { RunError } from '../protocol/runner';
import type { RunOutcome } from '../runner/client';
import type { RunnerPort } from './runController';
import { runRequestFor, type RunSettings, type RunTarget } from './runSettings';

export interface LrFinderTarget extends RunTarget {
  readonly objective: string;
}

export interface LrFinderListener {
  /** The view changed (new points, the end, an error). */
  view(view: LrFinderView): void;
  /** Updates done so far and the test's length (for a progress bar). */
  progress?(done: number, total: number): void;
}

export interface LrFinderOutcome {
  readonly view: LrFinderView;
  /** The runner's error, when the test failed (its file and line are the user's). */
  readonly error?: RunError;
}

/** Where an error happened, as `file:line: message` (the file as the user sees it). */
export function errorText(error: Pick<RunError, 'message' | 'file' | 'line'>, displayPath: (file: string) => string = (f) => f): string {
  const where = error.file ? `${displayPath(error.file)}${error.line ? `:${error.line}` : ''}: ` : '';
  return `${where}${error.message}`;
}

export class LrFinderSession {
  private current: LrFinderView;
  private cancelRun?: () => void;
  private cancelled = false;

  constructor(
    private readonly runner: RunnerPort,
    private readonly settings: RunSettings,
    private readonly target: LrFinderTarget,
    private readonly displayPath: (file: string) => string = (f) => f,
  ) {
    this.current = {
      type: 'lrFinderView', file: displayPath(target.file), objective: target.objective,
      optimizer: { id: settings.defaultRule?.name ?? settings.defaultOptimizer, isDefault: true },
      status: 'running', points: [],
    };
  }

  get view(): LrFinderView {
    return this.current;
  }

  /** Runs the test with the settings' optimizer; resolves when the runner is done with it. */
  async run(listener: LrFinderListener, runId = `lr-find-${Date.now().toString(36)}`): Promise<LrFinderOutcome> {
    // The settings' default optimizer (its hyperparameters' defaults); the runner replaces lr, schedule and steps.
    const request = { ...runRequestFor(this.settings, this.target, { landscape: false, curvatureEvery: 0 }, runId), lrFinder: {} };
    listener.view(this.current);
    const handle = this.runner.run(request, {
      onLrFinder: (event) => {
        this.update({
          range: event.range,
          points: [...this.current.points, ...event.points],
          ...(event.final ? { suggestions: event.final.suggestions, ...(event.final.stoppedAt !== undefined ? { stoppedAt: event.final.stoppedAt } : {}) } : {}),
        });
        listener.progress?.(this.current.points.length, event.range.steps);
        listener.view(this.current);
      },
    });
    this.cancelRun = () => handle.cancel();
    if (this.cancelled) handle.cancel();
    const outcome = await handle.result;
    return this.finish(outcome, listener);
  }

  /** Stops the test; the points so far stay (and get suggestions when the runner had them). */
  cancel(): void {
    this.cancelled = true;
    this.cancelRun?.();
  }

  private finish(outcome: RunOutcome, listener: LrFinderListener): LrFinderOutcome {
    if (outcome.kind === 'error') {
      const { message, file, line } = outcome.error;
      const status = this.cancelled ? 'cancelled' : 'error';
      this.update({ status, ...(status === 'error' ? { error: { message, ...(file ? { file: this.displayPath(file) } : {}), ...(line ? { line } : {}) } } : {}) });
      listener.view(this.current);
      return { view: this.current, ...(status === 'error' ? { error: outcome.error } : {}) };
    }
    // The test stops its own run (status 'cancelled' with stoppedAt): only a user's cancel is a cancel.
    this.update({ status: this.cancelled && this.current.stoppedAt === undefined ? 'cancelled' : 'done' });
    listener.view(this.current);
    return { view: this.current };
  }

  private update(change: Partial<LrFinderView>): void {
    this.current = { ...this.current, ...change };
  }
}
