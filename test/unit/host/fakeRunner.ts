/** A runner stand-in for host tests: records requests, lets the test drive each run's events and outcome. */
import type { RunMeta } from '../../../src/protocol/runner';
import type { RunHandle, RunHandlers, RunOutcome } from '../../../src/runner/client';
import type { RunnerPort } from '../../../src/host/runController';

export interface FakeRun {
  request: Parameters<RunnerPort['run']>[0];
  handlers: RunHandlers;
  finish(o: RunOutcome): void;
  cancelled: boolean;
}

export class FakeRunner implements RunnerPort {
  readonly runs: FakeRun[] = [];
  run(input: Parameters<RunnerPort['run']>[0], handlers: RunHandlers = {}): RunHandle {
    let finish!: (o: RunOutcome) => void;
    const result = new Promise<RunOutcome>((r) => (finish = r));
    const run: FakeRun = { request: input, handlers, finish, cancelled: false };
    this.runs.push(run);
    return {
      runId: input.runId as string, result, setLr: () => undefined,
      cancel: () => {
        run.cancelled = true;
        finish({ kind: 'error', error: { kind: 'internal', message: 'cancelled before it started' } });
      },
    };
  }
}

export const meta = (objective: string): RunMeta => ({
  objective, optimizer: { id: 'adam', lr: 0.1, hp: {} }, paramCount: 2, paramNames: ['x0', 'x1'], steps: 2, seed: 0,
  backend: 'cpu', tfjsVersion: '4.22.0', sourceHash: 'h', schedulePreview: [0.1, 0.1], initialParams: [0, 0],
});
export const step = (k: number) => ({ step: k, loss: 1 / (k + 1), gradNorm: 1, updateNorm: 0.1, lr: 0.1, evals: k + 1, wallMs: k });
export const done = (runId: string, loss: number): RunOutcome => ({
  kind: 'done',
  done: { type: 'done', runId, status: 'completed', final: { loss, gradNorm: 0, params: [1, 1] }, stepsPerSecond: 10, wallMs: 5, evals: 2 },
});
export const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));
