/**
 * What a run is given besides its request: how it hears cancels and lr changes and waits for the
 * channel (RunControl), and where it sends its events (Emit). Apart from run.ts so that the loop
 * (runLoop.ts), which run.ts calls, can name them without importing run.ts back.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { RunnerToHost } from '../protocol/runner';
import type { CompiledObjectiveSource } from './arrayPath';
import type { compileObjective } from './compile';
import type { LrSet } from './lrSet';
import type { KeptData } from './objectives';

export interface RunControl {
  isCancelled(): boolean;
  /** The lr the user set mid-run (setLr) and the update it applies from; undefined until then. */
  lrSet(): LrSet | undefined;
  /** Called after each update (the next update is step + 1). */
  stepDone?(step: number, x: Float32Array | tfType.Tensor1D): void | Promise<void>;
  /** A promise to wait for before the next step while the events already sent are not yet written (the child's IPC channel). */
  backpressure?(): Promise<void> | undefined;
  /** Told the objective's file and declaration line once it is loaded (a memory error names them). */
  located?(where: { file: string; line?: number }): void;
  /** Compiles the objective's (and a rule's) file; a sweep passes one that bundles each file once for all its runs. */
  compile?: typeof compileObjective;
  /** The compiled objective of runs with this key (file, objective, seed, steps, sign); a sweep keeps one per worker (sweepReuse.ts). */
  compiledObjective?(key: string): CompiledObjectiveSource;
  /** The objective's data kept for runs with this key (a sweep's worker: sweepReuse.ts). */
  keptData?(key: string): KeptData;
  /** Step records without the path's points and gradients (a sweep's worker keeps only losses); the numbers are the same. */
  readonly lossesOnly?: boolean;
}

export type Emit = (msg: RunnerToHost) => void;
