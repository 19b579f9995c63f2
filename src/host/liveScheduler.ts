/**
 * Debounced re-runs for live mode: edits within `delayMs` of each other make
 * one re-run, and a new re-run cancels the one still in flight. Timers are
 * injected so tests drive time by hand.
 */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** Started work that can be cancelled; `done` settles when it has finished or stopped. */
export interface Cancellable {
  cancel(): void;
  readonly done: Promise<unknown>;
}

export class LiveScheduler<T> {
  private timer: unknown;
  private pending?: T;
  private inFlight?: Cancellable;
  private disposed = false;

  constructor(
    private readonly start: (value: T) => Cancellable,
    private delayMs: number,
    private readonly timers: Timers = realTimers,
  ) {}

  setDelay(ms: number): void {
    this.delayMs = ms;
  }

  /** A new value (e.g. the document's text): (re)starts the quiet period. */
  push(value: T): void {
    if (this.disposed) return;
    this.pending = value;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = this.timers.setTimeout(() => this.fire(), this.delayMs);
  }

  /** Runs the pending value now (e.g. on save), skipping the rest of the delay. */
  flush(): void {
    if (this.timer === undefined) return;
    this.timers.clearTimeout(this.timer);
    this.fire();
  }

  get busy(): boolean {
    return this.inFlight !== undefined || this.timer !== undefined;
  }

  /** Cancels the in-flight work and forgets the pending value. */
  cancel(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
    this.inFlight?.cancel();
    this.inFlight = undefined;
  }

  dispose(): void {
    this.cancel();
    this.disposed = true;
  }

  private fire(): void {
    this.timer = undefined;
    const value = this.pending as T;
    this.pending = undefined;
    this.inFlight?.cancel();
    const work = this.start(value);
    this.inFlight = work;
    const clear = (): void => {
      if (this.inFlight === work) this.inFlight = undefined;
    };
    work.done.then(clear, clear);
  }
}
