/**
 * The runner client, created on the first run: activation does not fork the
 * runner or load TensorFlow.js. The client restarts its process after a crash
 * or a time-limit kill; this logs when that happened.
 */
import type { LandscapeAnswer, LandscapeAsk, RunHandle, RunHandlers, RunnerClient } from '../runner/client';
import type { RunnerPort } from './runController';

export class LazyRunner implements RunnerPort {
  private client?: RunnerClient;

  constructor(
    private readonly create: () => RunnerClient,
    private readonly log: (message: string) => void,
  ) {}

  run(input: Parameters<RunnerClient['run']>[0], handlers?: RunHandlers): RunHandle {
    if (!this.client) {
      this.client = this.create();
      this.log('starting the runner process (TensorFlow.js loads there)');
    }
    const client = this.client;
    const handle = client.run(input, handlers);
    void handle.result.then((outcome) => {
      // The client's messages for these say that the process is restarted.
      if (outcome.kind === 'error' && ['runner-crash', 'time-limit', 'memory'].includes(outcome.error.kind)) this.log(outcome.error.message);
    });
    return handle;
  }

  /** A zoomed window's grid or a path slice (src/host/landscapeAsks.ts); starts the runner if needed. */
  landscape(ask: LandscapeAsk): Promise<LandscapeAnswer> {
    this.client ??= this.create();
    return this.client.landscape(ask);
  }

  get started(): boolean {
    return this.client !== undefined;
  }

  dispose(): void {
    this.client?.dispose();
    this.client = undefined;
  }
}
