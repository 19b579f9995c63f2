import { strict as assert } from 'node:assert';
import { PollGovernor, PROBE_EVERY, WINDOW_MS } from '../../../src/runner/pollGovernor';

/**
 * Whether product threads poll (pollGovernor.ts), on a made-up clock and CPU meter: polling goes on while the
 * process gets the cores its polling threads take, stops when products come and it gets a core less, and is
 * tried again one window in PROBE_EVERY; a window with few products says nothing either way.
 */

const POLL_MS = 1;

class Machine {
  ms = 0;
  cpuMicros = 0;
  cpuReads = 0;
  readonly governor = new PollGovernor(2, POLL_MS, () => {
    this.cpuReads++;
    return this.cpuMicros;
  }, () => this.ms);

  /** Products of `product` ms every `product + gap` ms for `windows` windows, the process getting `cores` cores; the decisions. */
  run(windows: number, cores: number, product = 0.4, gap = 0.1): boolean[] {
    const decisions: boolean[] = [];
    const end = this.ms + windows * WINDOW_MS;
    while (this.ms < end) {
      decisions.push(this.governor.productStarts());
      this.pass(product, cores);
      this.governor.productEnds();
      this.pass(gap, cores);
    }
    return decisions;
  }

  private pass(ms: number, cores: number): void {
    this.ms += ms;
    this.cpuMicros += 1000 * ms * cores;
  }
}

describe('product threads poll only while the process gets the cores they take', () => {
  it('two threads that get two cores keep polling, the CPU time read once a window', () => {
    const machine = new Machine();
    const decisions = machine.run(10, 1.95);
    assert.ok(decisions.every((d) => d));
    assert.ok(machine.cpuReads <= 11, `${machine.cpuReads} reads of the CPU time in 10 windows`);
  });

  it('a window of products in which the process got a core less stops polling; one window in PROBE_EVERY tries again', () => {
    const machine = new Machine();
    machine.run(2, 1.95);
    machine.run(1, 1.05);
    // The windows after it: stopped, then a probe window.
    const stopped = machine.run(PROBE_EVERY - 1, 1.05);
    assert.ok(stopped.every((d) => !d), 'polling stopped');
    const probe = machine.run(1, 1.05);
    assert.ok(probe.every((d) => d), 'the probe window polls');
    // Still a core short in the probe: stopped again; then a probe that gets its cores keeps polling.
    assert.ok(machine.run(PROBE_EVERY - 1, 1.05).every((d) => !d));
    machine.run(1, 1.95);
    assert.ok(machine.run(3, 1.95).every((d) => d), 'polling again once the cores are free');
  });

  it('a window with few products says nothing: a process mostly waiting (on its parent, say) does not stop polling', () => {
    const machine = new Machine();
    // A product of 0.2 ms every 5 ms, the process busy a third of the time: the workers would poll for a quarter of each window.
    assert.ok(machine.run(6, 0.3, 0.2, 4.8).every((d) => d));
    // The same products with the process at one core then mean the threads lacked cores: polling stops.
    assert.ok(!machine.run(2, 1.0, 0.4, 0.1).slice(-1)[0]);
  });
});
