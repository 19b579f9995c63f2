/**
 * How many threads a run's large products use (issue 20) and the pool's lifetime: one ProductPool per run,
 * registered with core (core/compiled/productThreads.ts) when the run starts and closed when it ends.
 * A sweep's worker threads keep one thread each: the sweep already has a run per core.
 */
import * as os from 'node:os';
import { isMainThread } from 'node:worker_threads';
import { registerProductThreads } from '../core/compiled/productThreads';
import { ProductPool } from './productPool';

/** The default's cap: past a few threads a product's blocks are too short to pay for the waits (bench/README.md, threads). */
export const MAX_DEFAULT_THREADS = 4;

/** The threads of a run that does not say (`threads` in the run request, `--threads` on the CLI). */
export function defaultRunThreads(): number {
  if (!isMainThread) return 1;
  return Math.max(1, Math.min(os.availableParallelism?.() ?? os.cpus().length, MAX_DEFAULT_THREADS));
}

/** Registers the run's product threads; the returned function unregisters them and stops the workers. */
export function startRunThreads(requested: number | undefined): () => void {
  const threads = isMainThread ? (requested ?? defaultRunThreads()) : 1;
  if (threads <= 1) {
    registerProductThreads(undefined);
    return () => undefined;
  }
  const pool = new ProductPool(threads);
  registerProductThreads(pool);
  return () => {
    registerProductThreads(undefined);
    void pool.close();
  };
}
