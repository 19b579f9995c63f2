import { strict as assert } from 'node:assert';
import { LiveScheduler, type Cancellable, type Timers } from '../../../src/host/liveScheduler';

/** Hand-driven clock. */
class FakeTimers implements Timers {
  now = 0;
  private next = 0;
  private readonly due = new Map<number, { at: number; fn: () => void }>();
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.next;
    this.due.set(id, { at: this.now + ms, fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.due.delete(handle as number);
  }
  advance(ms: number): void {
    this.now += ms;
    for (const [id, t] of [...this.due].sort((a, b) => a[1].at - b[1].at)) {
      if (t.at <= this.now) {
        this.due.delete(id);
        t.fn();
      }
    }
  }
}

function harness(delay = 300) {
  const timers = new FakeTimers();
  const started: string[] = [];
  const cancelled: string[] = [];
  const finishers: (() => void)[] = [];
  const scheduler = new LiveScheduler<string>((text): Cancellable => {
    started.push(text);
    let finish!: () => void;
    const done = new Promise<void>((r) => (finish = r));
    finishers.push(finish);
    return { cancel: () => cancelled.push(text), done };
  }, delay, timers);
  return { timers, started, cancelled, finishers, scheduler };
}

describe('LiveScheduler', () => {
  it('runs once after a quiet period, with the latest text', () => {
    const h = harness();
    h.scheduler.push('a');
    h.timers.advance(200);
    h.scheduler.push('ab');
    h.timers.advance(200);
    h.scheduler.push('abc');
    h.timers.advance(299);
    assert.deepEqual(h.started, []);
    h.timers.advance(1);
    assert.deepEqual(h.started, ['abc']);
  });

  it('cancels the in-flight run when a new one starts', () => {
    const h = harness();
    h.scheduler.push('v1');
    h.timers.advance(300);
    h.scheduler.push('v2');
    assert.deepEqual(h.cancelled, [], 'typing alone does not cancel: the old run streams until the new one starts');
    h.timers.advance(300);
    assert.deepEqual(h.started, ['v1', 'v2']);
    assert.deepEqual(h.cancelled, ['v1']);
  });

  it('does not cancel a run that already finished', async () => {
    const h = harness();
    h.scheduler.push('v1');
    h.timers.advance(300);
    h.finishers[0]();
    await Promise.resolve();
    await Promise.resolve();
    assert.equal(h.scheduler.busy, false);
    h.scheduler.push('v2');
    h.timers.advance(300);
    assert.deepEqual(h.cancelled, []);
  });

  it('flush runs the pending text at once; cancel and dispose stop everything', () => {
    const h = harness();
    h.scheduler.push('x');
    h.scheduler.flush();
    assert.deepEqual(h.started, ['x']);
    h.scheduler.push('y');
    h.scheduler.cancel();
    h.timers.advance(1000);
    assert.deepEqual(h.started, ['x']);
    assert.deepEqual(h.cancelled, ['x']);
    h.scheduler.dispose();
    h.scheduler.push('z');
    h.timers.advance(1000);
    assert.deepEqual(h.started, ['x']);
  });

  it('uses a changed delay from the next edit', () => {
    const h = harness(300);
    h.scheduler.setDelay(50);
    h.scheduler.push('q');
    h.timers.advance(50);
    assert.deepEqual(h.started, ['q']);
  });
});
