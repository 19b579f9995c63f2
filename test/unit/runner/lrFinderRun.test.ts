import { strict as assert } from 'node:assert';
import { LR_FINDER_DEFAULTS, lrFinderSchedule } from '../../../src/core/tuning/lrFinder';
import { parseMessage, runRequestSchema, runnerToHostSchema, type RunnerToHost, type StepRecord } from '../../../src/protocol/runner';
import { lrFinderRun } from '../../../src/runner/lrFinderRun';
import { RunFailure } from '../../../src/runner/runFailure';

const request = (lrFinder: Record<string, number> = {}) => parseMessage(runRequestSchema, {
  type: 'run', runId: 'r', file: '/w/objective.ts', optimizer: { id: 'sgd', lr: 0.5 }, steps: 500, schedule: 'cosine:T_max=500',
  scheduleFile: { file: '/w/schedules.ts', name: 'warm' }, lrFinder,
}, 'test');

const record = (step: number, lr: number, loss: number): StepRecord => ({ step, lr, loss, gradNorm: 1, updateNorm: 1, evals: step + 1, wallMs: step });

/** fastai's suggestions, written out here from its definition (independent of src/core/tuning/lrFinder.ts). */
function fastaiSuggestions(points: { lr: number; smoothed: number }[], steps: number): { steepest: number; minimumOverTen: number } {
  const kept = points.slice(Math.floor(steps / 10), points.length - 5);
  const slopes = kept.slice(1).map((p, i) => (p.smoothed - kept[i].smoothed) / (Math.log(p.lr) - Math.log(kept[i].lr)));
  const steep = slopes.indexOf(Math.min(...slopes));
  const lowest = kept.reduce((best, p) => (p.smoothed < best.smoothed ? p : best), kept[0]);
  return { steepest: kept[steep].lr, minimumOverTen: lowest.lr / 10 };
}

describe('runner: the lr range test on a run request (lrFinderRun)', () => {
  it('rewrites the request: lr from `from`, ExponentialLR to `to` over its steps, no other schedule; fastai defaults fill the gaps', () => {
    const out: RunnerToHost[] = [];
    const run = lrFinderRun(request({ from: 1e-5, to: 1, steps: 50 }), (m) => out.push(m));
    assert.equal(run.request.optimizer.lr, 1e-5);
    assert.equal(run.request.steps, 50);
    assert.equal(run.request.schedule, lrFinderSchedule({ from: 1e-5, to: 1, steps: 50 }));
    assert.equal(run.request.scheduleFile, undefined);
    assert.deepEqual(out, [{ type: 'lrFinder', runId: 'r', range: { from: 1e-5, to: 1, steps: 50 }, points: [] }]);
    const defaults = lrFinderRun(request(), () => undefined).request;
    assert.deepEqual([defaults.optimizer.lr, defaults.steps], [LR_FINDER_DEFAULTS.from, LR_FINDER_DEFAULTS.steps]);
  });

  it('a request without lrFinder passes through untouched', () => {
    const req = parseMessage(runRequestSchema, { type: 'run', runId: 'r', file: '/f.ts', optimizer: { id: 'adam' }, steps: 3 }, 'test');
    const emit = (): void => undefined;
    const run = lrFinderRun(req, emit);
    assert.equal(run.request, req);
    assert.equal(run.emit, emit);
    assert.equal(run.stopped(), false);
  });

  it('streams the new points with each steps batch, stops past 4x the best smoothed loss, and sends fastai\'s suggestions before done', () => {
    const out: RunnerToHost[] = [];
    const steps = 100;
    const run = lrFinderRun(request({ from: 1e-4, to: 10, steps }), (m) => out.push(m));
    // A loss that falls, bottoms out near lr 0.1 and then blows up.
    const lrAt = (k: number) => 1e-4 * 1e5 ** (k / steps);
    const lossAt = (k: number) => 1 + 10 / (1 + 50 * lrAt(k)) + (lrAt(k) > 0.3 ? 1e3 * (lrAt(k) - 0.3) ** 2 : 0);
    for (let k = 0; k < steps && !run.stopped(); k += 10) {
      run.emit({ type: 'steps', runId: 'r', steps: Array.from({ length: 10 }, (_, i) => record(k + i, lrAt(k + i), lossAt(k + i))) });
    }
    assert.equal(run.stopped(), true, 'the blow-up ends the test');
    run.emit({ type: 'done', runId: 'r', status: 'cancelled', final: { loss: 1, gradNorm: 1, params: [] }, stepsPerSecond: 1, wallMs: 1, evals: 1 });
    for (const m of out) parseMessage(runnerToHostSchema, m, 'runner output');
    const events = out.filter((m): m is Extract<RunnerToHost, { type: 'lrFinder' }> => m.type === 'lrFinder');
    const points = events.flatMap((e) => e.points);
    assert.deepEqual(points.map((p) => p.step), points.map((_, i) => i), 'every step once, in order');
    assert.ok(points.length < steps);
    assert.equal(out.filter((m) => m.type === 'steps').length, Math.ceil(points.length / 10), 'steps go on to the dashboard as they came');
    const final = events[events.length - 1].final;
    assert.equal(out[out.length - 1].type, 'done');
    assert.equal(out[out.length - 2], events[events.length - 1], 'the suggestions come just before done');
    assert.equal(final?.stoppedAt, points[points.length - 1].step);
    assert.deepEqual(final?.suggestions, fastaiSuggestions(points, steps));
    // The steepest descent lies where the loss still falls, well before the blow-up (lr 0.3).
    assert.ok((final?.suggestions.steepest as number) < 0.3);
  });

  it('a range whose default end is below its start is the user\'s hyperparameter error', () => {
    assert.throws(() => lrFinderRun(request({ from: 100 }), () => undefined), (e: unknown) => e instanceof RunFailure && e.error.kind === 'hyperparameter' && /from < to/.test(e.error.message));
    assert.throws(() => parseMessage(runRequestSchema, { ...request(), lrFinder: { from: 1, to: 0.1 } }, 'test'), /from < to/);
  });
});
