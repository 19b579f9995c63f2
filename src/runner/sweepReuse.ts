/**
 * What a sweep's worker keeps from one configuration to the next: the compiled objective (its traced,
 * checked programs for every batch shape), which depends on the objective's file, name, seed (its data
 * order and starting point), steps and sign but not on the optimizer's hyperparameters. Compiling it was
 * most of a configuration's set-up (about 600 of 1,000 ms on the bench's MLP). Each run still loads its
 * own module, data and optimizer; the kept programs call the current run's function if they ever trace
 * again (a batch shape not seen yet), so nothing of an earlier run's objective is read.
 */
import { CompiledValueAndGrad, type TensorObjective } from '../core/compiled/compileValueAndGrad';
import type { CompiledObjectiveSource } from './arrayPath';

/** Objectives kept per worker: a sweep over several seeds keeps one per seed, the oldest dropped first. */
export const KEPT_OBJECTIVES = 4;

interface Kept {
  readonly compiled: CompiledValueAndGrad;
  /** The function the programs trace when they meet a new batch shape: the latest run's. */
  current: TensorObjective;
}

export class KeptObjectives {
  private readonly kept = new Map<string, Kept>();

  /** How many compiled objectives were made (for tests: one per key, not one per run). */
  made = 0;

  /** The compiled objective of runs with `key` (RunControl.compiledObjective). */
  source(key: string): CompiledObjectiveSource {
    return (objective, size) => {
      let entry = this.kept.get(key);
      if (!entry || entry.compiled.size !== size) {
        const fresh: Kept = { current: objective, compiled: new CompiledValueAndGrad((x, inputs) => fresh.current(x, inputs), size) };
        entry = fresh;
        this.made++;
      }
      // Most recently used last, so the first is the one to drop.
      this.kept.delete(key);
      this.kept.set(key, entry);
      for (const old of this.kept.keys()) if (this.kept.size > KEPT_OBJECTIVES) this.kept.delete(old);
      entry.current = objective;
      return entry.compiled;
    };
  }
}
