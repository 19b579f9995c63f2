import { strict as assert } from 'node:assert';
import { LandscapeAsks } from '../../../src/host/landscapeAsks';
import { hostToWebviewSchema, webviewToHostSchema, type RunSnapshot } from '../../../src/protocol/webview';
import type { LandscapeAnswer, LandscapeAsk } from '../../../src/runner/client';

const grid = (lo: number) => ({ kind: 'contour' as const, xs: [lo, lo + 1], ys: [0, 1], values: [[1, 2], [3, 4]] });

const snapshot = { runId: 'a', file: '/w/bowl.ts', steps: [], curvature: [], lrChanges: [], meta: { objective: 'bowl', seed: 3 } } as unknown as RunSnapshot;

describe('host: the dashboard\'s landscape requests (LandscapeAsks)', () => {
  it('a zoom becomes a runner request with the run\'s file, text, objective and seed; only the latest answer reaches the page', async () => {
    const asked: LandscapeAsk[] = [];
    const answers: ((a: LandscapeAnswer) => void)[] = [];
    const posted: unknown[] = [];
    const asks = new LandscapeAsks({
      runner: { landscape: (ask) => { asked.push(ask); return new Promise((resolve) => answers.push(resolve)); } },
      run: (runId) => (runId === 'a' ? { snapshot, text: 'unsaved' } : undefined),
      post: (m) => posted.push(hostToWebviewSchema.parse(m)),
    });
    const older = webviewToHostSchema.parse({ type: 'landscapeWindow', requestId: 'z1', runId: 'a', box: [[0, 1], [0, 1]] });
    const newer = webviewToHostSchema.parse({ type: 'landscapeWindow', requestId: 'z2', runId: 'a', box: [[2, 3], [0, 1]] });
    assert.ok(older.type === 'landscapeWindow' && newer.type === 'landscapeWindow');
    const first = asks.handle(older);
    const second = asks.handle(newer);
    assert.deepEqual(asked[0], { type: 'landscapeWindow', file: '/w/bowl.ts', objective: 'bowl', seed: 3, box: [[0, 1], [0, 1]], text: 'unsaved' });
    // The older answer arrives last: it is dropped, the newer one is drawn.
    answers[1]({ type: 'landscapeWindow', requestId: 'x', grid: grid(2) });
    answers[0]({ type: 'landscapeWindow', requestId: 'y', grid: grid(0) });
    await Promise.all([first, second]);
    assert.equal(posted.length, 1);
    assert.deepEqual(posted[0], { type: 'landscapeWindow', requestId: 'z2', runId: 'a', grid: grid(2) });
  });

  it('a runner warning is passed on (the page keeps its contour); an unknown run is answered without asking the runner', async () => {
    const posted: unknown[] = [];
    let calls = 0;
    const asks = new LandscapeAsks({
      runner: { landscape: async (ask) => { calls++; return { type: ask.type, requestId: 'r', warning: 'landscape not drawn: boom' } as LandscapeAnswer; } },
      run: () => undefined,
      post: (m) => posted.push(hostToWebviewSchema.parse(m)),
    });
    await asks.handle({ type: 'landscapeWindow', requestId: 'z', runId: 'gone', box: [[0, 1]] });
    assert.equal(calls, 0);
    assert.match((posted[0] as { warning: string }).warning, /run gone is not shown/);
    await asks.handle({ type: 'pathSlice', requestId: 's', method: 'pca', runIds: ['a'] });
    assert.equal(calls, 1);
    assert.deepEqual(posted[1], { type: 'pathSlice', requestId: 's', warning: 'landscape not drawn: boom' });
  });

  it('the page\'s messages are refused when malformed (reversed window, unknown method)', () => {
    assert.equal(webviewToHostSchema.safeParse({ type: 'landscapeWindow', requestId: 'z', runId: 'a', box: [[1, 0]] }).success, false);
    assert.equal(webviewToHostSchema.safeParse({ type: 'pathSlice', requestId: 's', method: 'tsne', runIds: ['a'] }).success, false);
    assert.equal(hostToWebviewSchema.safeParse({ type: 'pathSlice', requestId: 's', slice: { method: 'pca', grid: grid(0), paths: [{ runId: 'a', points: [[0, 0]], steps: [0, 1] }] } }).success, false);
  });
});
