/**
 * Whether a run's product threads poll between products (productPool.ts), decided from the CPU time the process
 * gets. Polling saves the tens of microseconds a sleeping thread takes to wake, but a polling thread holds its core,
 * and when other processes want the cores too (two runs at once, say) that core is taken from them: two 2-thread
 * runs on 2 cores ran 445-492 steps/s each with sleeping threads and 297-345 with polling ones (bench/README.md,
 * issue 20). So the process's CPU time is compared, window by window, with what polling threads would take: the
 * calling thread all the time, the workers while products come (a product, then POLL_MS of polling or the gap to
 * the next one, whichever is shorter). A window that falls short of that by half a core or more, its products
 * covering at least half of it, stops polling; while stopped, every PROBE_EVERY-th window polls again to see
 * whether the cores are free by now.
 */

/** The windows CPU time is compared over. */
export const WINDOW_MS = 200;
/** While polling is stopped, one window in this many polls again to measure. */
export const PROBE_EVERY = 8;
/** A window counts when the workers would have been busy for at least this share of it. */
const INFORMATIVE = 0.5;
/** Cores short of what polling threads would take that mean other threads had them. */
const SHORT_BY = 0.5;

/** The CPU time of the whole process (every thread), in microseconds. */
const processCpuMicros = (): number => {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
};

export class PollGovernor {
  private polling = true;
  private windowStart: number;
  private cpuStart: number;
  /** Milliseconds of this window in which the workers were busy with products or would have polled. */
  private active = 0;
  private lastEnd: number | undefined = undefined;
  private started = 0;
  private windowsStopped = 0;

  constructor(
    private readonly threads: number,
    private readonly pollMs: number,
    private readonly cpuMicros: () => number = processCpuMicros,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.windowStart = clock();
    this.cpuStart = cpuMicros();
  }

  /** A product starts: whether the threads poll for its blocks and after them (a clock read; the CPU time once a window). */
  productStarts(): boolean {
    const now = this.clock();
    if (this.lastEnd !== undefined) this.active += Math.min(now - this.lastEnd, this.pollMs);
    const elapsed = now - this.windowStart;
    if (elapsed >= WINDOW_MS) this.endWindow(now, elapsed);
    this.lastEnd = undefined;
    this.started = now;
    return this.polling;
  }

  /** The product's blocks are done (one product at a time: the pool's). */
  productEnds(): void {
    const now = this.clock();
    this.active += now - this.started;
    this.lastEnd = now;
  }

  private endWindow(now: number, elapsed: number): void {
    const cpu = this.cpuMicros();
    const cores = (cpu - this.cpuStart) / (1000 * elapsed);
    const busy = Math.min(1, this.active / elapsed);
    if (this.polling) {
      const expected = 1 + (this.threads - 1) * busy;
      if (busy >= INFORMATIVE && cores < expected - SHORT_BY) this.polling = false;
      this.windowsStopped = 0;
    } else {
      // This window and the ones before it stopped: the next polls, as one window in PROBE_EVERY.
      this.polling = ++this.windowsStopped >= PROBE_EVERY - 1;
    }
    this.windowStart = now;
    this.cpuStart = cpu;
    this.active = 0;
  }
}
