import { strict as assert } from 'node:assert';
import { lrFinderEventSchema, lrFinderRangeSchema, lrFinderViewSchema, useLrSchema } from '../../../src/protocol/lrFinder';
import { parseMessage, runnerToHostSchema } from '../../../src/protocol/runner';
import { hostToWebviewSchema, webviewToHostSchema } from '../../../src/protocol/webview';

const view = {
  type: 'lrFinderView', file: 'a.ts', objective: 'f', optimizer: { id: 'adam', isDefault: true }, status: 'done',
  range: { from: 1e-7, to: 10, steps: 100 }, points: [{ step: 0, lr: 1e-7, loss: 3, smoothed: 3 }], suggestions: { steepest: 1e-3 },
};

describe('protocol: lr range test messages', () => {
  it('a range is positive with from < to; absent ends are the runner\'s defaults', () => {
    assert.deepEqual(lrFinderRangeSchema.parse({}), {});
    assert.deepEqual(lrFinderRangeSchema.parse({ from: 1e-6 }), { from: 1e-6 });
    assert.equal(lrFinderRangeSchema.safeParse({ from: 1, to: 1 }).success, false);
    assert.equal(lrFinderRangeSchema.safeParse({ from: 0 }).success, false);
    assert.equal(lrFinderRangeSchema.safeParse({ steps: 1 }).success, false);
    assert.equal(lrFinderRangeSchema.safeParse({ steps: 2.5 }).success, false);
  });

  it('the runner\'s event and the dashboard\'s messages pass every boundary they cross', () => {
    const event = { type: 'lrFinder', runId: 'r', range: { from: 1e-7, to: 10, steps: 100 }, points: [], final: { stoppedAt: 3, suggestions: {} } };
    assert.deepEqual(parseMessage(runnerToHostSchema, event, 'runner output'), lrFinderEventSchema.parse(event));
    assert.deepEqual(parseMessage(hostToWebviewSchema, view, 'host -> dashboard'), lrFinderViewSchema.parse(view));
    assert.deepEqual(parseMessage(webviewToHostSchema, { type: 'useLr', lr: 0.01, optimizer: 'adam' }, 'dashboard -> host'), { type: 'useLr', lr: 0.01, optimizer: 'adam' });
  });

  it('refuses what would be half-applied: a non-positive lr, a point without its smoothed loss, an unknown status', () => {
    assert.throws(() => parseMessage(webviewToHostSchema, { type: 'useLr', lr: 0, optimizer: 'adam' }, 'dashboard -> host'), /lr/);
    assert.equal(useLrSchema.safeParse({ type: 'useLr', lr: Number.NaN, optimizer: 'adam' }).success, false);
    assert.throws(() => parseMessage(hostToWebviewSchema, { ...view, points: [{ step: 0, lr: 1e-7, loss: 3 }] }, 'host -> dashboard'), /points\.0\.smoothed/);
    assert.throws(() => parseMessage(hostToWebviewSchema, { ...view, status: 'paused' }, 'host -> dashboard'), /status/);
    assert.throws(() => parseMessage(runnerToHostSchema, { type: 'lrFinder', runId: 'r', points: [] }, 'runner output'), /range/);
  });
});
