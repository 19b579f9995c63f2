import { strict as assert } from 'node:assert';
import { isLandscapeAsk, LandscapeAsks } from '../../../src/host/landscapeAsks';
import { hostToWebviewSchema, webviewToHostSchema } from '../../../src/protocol/webview';
import type { LandscapeAnswer, LandscapeAsk } from '../../../src/runner/client';

const profile = { between: 'runs' as const, ts: [0, 0.5, 1], losses: [0, 1, 0], ends: [0, 0] as [number, number], barrier: 1 };

describe('host: the dashboard\'s interpolation request (issue 23)', () => {
  it('passes the runs to the runner and only the latest answer to the page, with the page\'s requestId', async () => {
    const asked: LandscapeAsk[] = [];
    const answers: ((a: LandscapeAnswer) => void)[] = [];
    const posted: unknown[] = [];
    const asks = new LandscapeAsks({
      runner: { landscape: (ask) => { asked.push(ask); return new Promise((resolve) => answers.push(resolve)); } },
      run: () => undefined,
      post: (m) => posted.push(hostToWebviewSchema.parse(m)),
    });
    const older = webviewToHostSchema.parse({ type: 'interpolation', requestId: 'p1', runIds: ['a'] });
    const newer = webviewToHostSchema.parse({ type: 'interpolation', requestId: 'p2', runIds: ['a', 'b'] });
    assert.ok(isLandscapeAsk(older) && isLandscapeAsk(newer));
    const both = [asks.handle(older), asks.handle(newer)];
    assert.deepEqual(asked, [{ type: 'interpolation', runIds: ['a'] }, { type: 'interpolation', runIds: ['a', 'b'] }]);
    answers[1]({ type: 'interpolation', requestId: 'r2', profile });
    answers[0]({ type: 'interpolation', requestId: 'r1', profile: { ...profile, barrier: 0 } });
    await Promise.all(both);
    assert.deepEqual(posted, [{ type: 'interpolation', requestId: 'p2', profile }]);
  });

  it('a runner warning reaches the page; a profile whose losses do not match its ts is refused', async () => {
    const posted: unknown[] = [];
    const asks = new LandscapeAsks({
      runner: { landscape: async () => ({ type: 'interpolation', requestId: 'r', warning: 'the two runs are of different objectives: no line between them' }) },
      run: () => undefined,
      post: (m) => posted.push(hostToWebviewSchema.parse(m)),
    });
    await asks.handle({ type: 'interpolation', requestId: 'p', runIds: ['a', 'b'] });
    assert.deepEqual(posted, [{ type: 'interpolation', requestId: 'p', warning: 'the two runs are of different objectives: no line between them' }]);
    assert.equal(hostToWebviewSchema.safeParse({ type: 'interpolation', requestId: 'p', profile: { ...profile, losses: [0, 1] } }).success, false);
  });
});
