/**
 * The runner client's requests that wait for one answer (`list`, `catalog`): each ends with its answer,
 * with the error that stopped the runner, or at its time limit, whichever comes first.
 */
import type { RunError, RunnerToHost } from '../protocol/runner';

interface Pending {
  readonly answer: (msg: RunnerToHost & { requestId: string }) => void;
  readonly fail: (error: RunError) => void;
}

export interface RequestSpec<T> {
  readonly requestId: string;
  readonly timeoutMs: number;
  /** Called at the time limit before `failed` (the client kills the child). */
  readonly onTimeout: () => void;
  /** The error at the time limit. */
  readonly timeoutError: RunError;
  /** The result after an error; may throw, which rejects the request. */
  readonly failed: (error: RunError) => T;
  /** The result in an answer, or undefined when the message is not this request's answer. */
  readonly answerOf: (msg: RunnerToHost) => T | undefined;
}

export class PendingRequests {
  private readonly pending = new Map<string, Pending>();

  get size(): number {
    return this.pending.size;
  }

  /** Registers a request; the caller sends it after. */
  add<T>(spec: RequestSpec<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const settle = (result: () => T): void => {
        clearTimeout(timer);
        this.pending.delete(spec.requestId);
        try {
          resolve(result());
        } catch (e) {
          reject(e as Error);
        }
      };
      const timer = setTimeout(() => {
        spec.onTimeout();
        settle(() => spec.failed(spec.timeoutError));
      }, spec.timeoutMs);
      this.pending.set(spec.requestId, {
        answer: (msg) => {
          const answer = spec.answerOf(msg);
          if (answer !== undefined) settle(() => answer);
        },
        fail: (error) => settle(() => spec.failed(error)),
      });
    });
  }

  /** Hands an answer to the request it names (unknown ids are late answers to requests that timed out). */
  answer(msg: RunnerToHost & { requestId: string }): void {
    this.pending.get(msg.requestId)?.answer(msg);
  }

  /** Ends every waiting request with `error`. */
  failAll(error: RunError): void {
    for (const p of [...this.pending.values()]) p.fail(error);
  }
}
