import { strict as assert } from 'node:assert';
import { lrFinderViewSchema, type LrFinderView } from '../../../src/protocol/lrFinder';
import { hostToWebviewSchema } from '../../../src/protocol/webview';
import { errorText, LrFinderSession } from '../../../src/host/lrFinderSession';
import { DEFAULT_SETTINGS } from '../../../src/host/runSettings';
import { FakeRunner, tick } from './fakeRunner';

const range = { from: 1e-7, to: 10, steps: 100 };
const point = (step: number) => ({ step, lr: 1e-7 * 1e8 ** (step / 100), loss: 5 - step / 100, smoothed: 5 - step / 200 });
const doneOutcome = (status: 'completed' | 'cancelled') => ({
  kind: 'done' as const,
  done: { type: 'done' as const, runId: 'lr', status, final: { loss: 1, gradNorm: 1, params: [] }, stepsPerSecond: 1, wallMs: 1, evals: 1 },
});

function start(runner: FakeRunner) {
  const session = new LrFinderSession(runner, { ...DEFAULT_SETTINGS, defaultOptimizer: 'adam' }, { file: '/w/src/objective.ts', text: 'export …', objective: 'bowl' }, (f) => f.replace('/w/', ''));
  const views: LrFinderView[] = [];
  const progress: [number, number][] = [];
  const result = session.run({ view: (v) => views.push(v), progress: (d, t) => progress.push([d, t]) }, 'lr');
  return { session, views, progress, result, run: () => runner.runs[0] };
}

describe('host: the lr range test from the editor (LrFinderSession)', () => {
  it('asks the runner for the test with the settings\' optimizer on the unsaved text, no landscape and no curvature', () => {
    const runner = new FakeRunner();
    start(runner);
    const req = runner.runs[0].request;
    assert.deepEqual(req.lrFinder, {}, 'the runner fills in its defaults');
    assert.equal(req.optimizer.id, 'adam');
    assert.equal(req.text, 'export …');
    assert.equal(req.objective, 'bowl');
    assert.equal(req.landscape, false);
    assert.equal(req.curvatureEvery, 0);
  });

  it('folds the runner\'s events into the card\'s view, with progress, and ends done when the test stopped its run', async () => {
    const runner = new FakeRunner();
    const s = start(runner);
    const h = s.run().handlers;
    h.onLrFinder?.({ type: 'lrFinder', runId: 'lr', range, points: [] });
    h.onLrFinder?.({ type: 'lrFinder', runId: 'lr', range, points: [0, 1, 2].map(point) });
    h.onLrFinder?.({ type: 'lrFinder', runId: 'lr', range, points: [3, 4].map(point) });
    const suggestions = { steepest: 1e-3, minimumOverTen: 3e-3 };
    h.onLrFinder?.({ type: 'lrFinder', runId: 'lr', range, points: [], final: { stoppedAt: 4, suggestions } });
    s.run().finish(doneOutcome('cancelled'));
    const outcome = await s.result;
    assert.deepEqual(outcome.view.points.map((p) => p.step), [0, 1, 2, 3, 4]);
    assert.deepEqual(outcome.view.suggestions, suggestions);
    assert.equal(outcome.view.stoppedAt, 4);
    assert.equal(outcome.view.status, 'done', 'the test\'s own stop is not a cancel');
    assert.equal(outcome.view.file, 'src/objective.ts');
    assert.deepEqual(s.progress, [[0, 100], [3, 100], [5, 100], [5, 100]]);
    assert.equal(s.views[0].status, 'running');
    // Every view the dashboard gets is a valid message of the host -> webview protocol.
    for (const v of s.views) hostToWebviewSchema.parse(lrFinderViewSchema.parse(v));
  });

  it('a cancel by the user ends cancelled, keeping the points', async () => {
    const runner = new FakeRunner();
    const s = start(runner);
    s.run().handlers.onLrFinder?.({ type: 'lrFinder', runId: 'lr', range, points: [point(0)] });
    s.session.cancel();
    assert.equal(s.run().cancelled, true);
    const outcome = await s.result;
    assert.equal(outcome.view.status, 'cancelled');
    assert.equal(outcome.view.points.length, 1);
    assert.equal(outcome.error, undefined);
  });

  it('an error names the user\'s file:line in the view and in the message', async () => {
    const runner = new FakeRunner();
    const s = start(runner);
    const error = { kind: 'objective' as const, message: 'loss must be a scalar, got shape [2]', file: '/w/src/objective.ts', line: 7 };
    s.run().finish({ kind: 'error', error });
    await tick();
    const outcome = await s.result;
    assert.equal(outcome.view.status, 'error');
    assert.deepEqual(outcome.view.error, { message: error.message, file: 'src/objective.ts', line: 7 });
    assert.equal(outcome.error, error);
    assert.equal(errorText(error, (f) => f.replace('/w/', '')), 'src/objective.ts:7: loss must be a scalar, got shape [2]');
    assert.equal(errorText({ message: 'the runner crashed' }), 'the runner crashed');
  });
});
