/**
 * Which path is faster for one objective, measured: a few evaluations of its compiled value and
 * gradient against the same on TensorFlow.js's kernels, interleaved, before the run starts.
 * The runner asks only when the answer is not clear from the program (a long objective with loops
 * left in JS): whether those loops matter depends on what they run over (the parameters, or
 * activations beside matrix products that dominate), which the time per evaluation shows directly.
 */

/** Rounds of (one compiled evaluation, one tensor evaluation); each form's time is its fastest round. */
export const PROBE_ROUNDS = 3;

/** A round whose faster form is this many times faster ends the probe: more rounds would not change the choice. */
export const CLEAR_MARGIN = 1.5;

export interface PathProbeInput {
  /** One evaluation of the compiled value and gradient. */
  readonly compiled: () => void;
  /** One evaluation of the value and gradient on tensors, read back (so the backend finishes it). */
  readonly tensors: () => void;
  /** Milliseconds of this process's CPU time (injectable so tests need no real timing). */
  readonly clock?: () => number;
  readonly rounds?: number;
}

export interface PathProbe {
  /** Fastest round of each form, ms per evaluation. */
  readonly compiledMs: number;
  readonly tensorsMs: number;
  readonly compiledFaster: boolean;
  /** For the run's compute record: the figures and the choice. */
  readonly summary: string;
}

/** CPU time rather than the wall clock: other processes on a loaded machine slow both forms' wall time alike but unevenly. */
export function processCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** A sample repeats a short evaluation until it has taken this long (ms of CPU), so timer steps and one pause do not decide. */
export const MIN_SAMPLE_MS = 20;
const MAX_SAMPLE_RUNS = 64;

/** Mean ms per evaluation over one sample. */
function timed(run: () => void, clock: () => number): number {
  const start = clock();
  let runs = 0;
  do {
    run();
    runs++;
  } while (clock() - start < MIN_SAMPLE_MS && runs < MAX_SAMPLE_RUNS);
  return (clock() - start) / runs;
}

export function probeFasterPath(input: PathProbeInput): PathProbe {
  const clock = input.clock ?? processCpuMs;
  const rounds = Math.max(1, input.rounds ?? PROBE_ROUNDS);
  // One untimed evaluation of each first: the tensor path's first call sets up kernels and the tape.
  input.tensors();
  input.compiled();
  let compiledMs = Infinity;
  let tensorsMs = Infinity;
  let done = 0;
  while (done < rounds) {
    compiledMs = Math.min(compiledMs, timed(input.compiled, clock));
    tensorsMs = Math.min(tensorsMs, timed(input.tensors, clock));
    done++;
    if (Math.max(compiledMs, tensorsMs) > CLEAR_MARGIN * Math.min(compiledMs, tensorsMs)) break;
  }
  const compiledFaster = compiledMs <= tensorsMs;
  const figures = `${formatMs(compiledMs)} compiled vs ${formatMs(tensorsMs)} on tensors per value and gradient (CPU time, fastest of ${done})`;
  return { compiledMs, tensorsMs, compiledFaster, summary: `measured before the run: ${figures}` };
}

function formatMs(ms: number): string {
  return `${ms >= 10 ? ms.toFixed(0) : ms.toFixed(2)} ms`;
}
