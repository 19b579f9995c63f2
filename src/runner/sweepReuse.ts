/**
 * What a sweep's worker keeps from one configuration to the next, per objective file, name, seed, steps
 * and sign, none of which depend on the optimizer's hyperparameters:
 * - the compiled objective (its traced, checked programs for every batch shape): compiling it was most of
 *   a configuration's set-up (about 600 of 1,000 ms of CPU on the bench's MLP). A kept program that meets
 *   a new batch shape traces the current run's function, so nothing of an earlier run's objective is read;
 * - the data's rows as host arrays: each run makes its own Dataset (its own tensors, freed with the run)
 *   from them instead of calling `data` and converting its rows again (about 35 ms on the MLP's 10,000 rows).
 * Each run still loads its own module, initial point and optimizer.
 */
import type * as tfType from '@tensorflow/tfjs';
import { CompiledValueAndGrad, type TensorObjective } from '../core/compiled/compileValueAndGrad';
import type { CompiledObjectiveSource } from './arrayPath';
import { Dataset } from './dataset';
import type { KeptData } from './objectives';

/** Keys kept per worker: a sweep over several seeds keeps one per seed, the least recently used dropped first. */
export const KEPT_OBJECTIVES = 4;

interface Kept {
  compiled?: CompiledValueAndGrad;
  /** The function the programs trace when they meet a new batch shape: the latest run's. */
  current?: TensorObjective;
  rows?: { readonly columns: ReturnType<Dataset['hostColumns']>; readonly batchSize: number };
}

export class KeptObjectives {
  private readonly kept = new Map<string, Kept>();

  /** How many compiled objectives and data sets were made (for tests: one per key, not one per run). */
  made = 0;
  dataLoaded = 0;

  /** The compiled objective of runs with `key` (RunControl.compiledObjective). */
  source(key: string): CompiledObjectiveSource {
    return (objective, size) => {
      const entry = this.entry(key);
      if (!entry.compiled || entry.compiled.size !== size) {
        entry.compiled = new CompiledValueAndGrad((x, inputs) => (entry.current as TensorObjective)(x, inputs), size);
        this.made++;
      }
      entry.current = objective;
      return entry.compiled;
    };
  }

  /** The data of runs with `key` (RunControl.keptData). */
  data(key: string): KeptData {
    const entry = this.entry(key);
    return {
      dataset: (seed: number, tf: typeof tfType) => {
        const rows = entry.rows;
        if (!rows) return undefined;
        const tensors = rows.columns.columns.map((c) => {
          const count = c.values.length / Math.max(1, c.rowShape.reduce((a, b) => a * b, 1));
          return [c.name, tf.tensor(c.values, [count, ...c.rowShape], c.dtype)] as const;
        });
        return new Dataset(new Map(tensors), rows.columns.single, rows.batchSize, seed);
      },
      keep: (dataset: Dataset) => {
        if (entry.rows) return;
        entry.rows = { columns: dataset.hostColumns(), batchSize: dataset.batchSize };
        this.dataLoaded++;
      },
    };
  }

  /** The key's entry, made most recently used (the first in the map is the one to drop). */
  private entry(key: string): Kept {
    const entry = this.kept.get(key) ?? {};
    this.kept.delete(key);
    this.kept.set(key, entry);
    for (const old of this.kept.keys()) if (this.kept.size > KEPT_OBJECTIVES) this.kept.delete(old);
    return entry;
  }
}
