/**
 * The plain-JS path of a run: the objective's value and gradient compiled to
 * JS (src/core/compiled/) and the whole loop on Float32Arrays
 * (minimizeArrays), with no TensorFlow.js engine work per step. A run takes
 * it when everything in it (objective, optimizer, constraint) has a plain-JS
 * form; otherwise `reason` says what kept it on tensors, and the run reports that.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { ArrayObjective, ArrayOptimizer } from '../core/arrays/contracts';
import { CompiledValueAndGrad, type ArrayInput, type TensorObjective } from '../core/compiled/compileValueAndGrad';
import { compileVectorFunction } from '../core/compiled/compileVectorFunction';
import { NotCompilable } from '../core/compiled/program';
import type { Optimizer } from '../core/optimizer';
import { releaseAbandonedTape } from './abandonedTape';
import type { Batch, Dataset, HostColumn } from './dataset';
import { finalOnTensors } from './finalOnTensors';
import { probeFasterPath, type PathProbe } from './pathProbe';

export interface ArrayPlan {
  readonly objective: ArrayObjective;
  readonly optimizer: ArrayOptimizer;
  /** The constraint's projection, compiled, in place. */
  readonly project?: (x: Float32Array) => void;
  /** Whether the objective's compiled loops run as WebAssembly SIMD (some or all). */
  readonly simd: boolean;
  /** Where the objective's program was traced and checked (a long vector's at a small length, or why not), for the run's path note. */
  readonly note?: string;
  /**
   * The probe evaluations' gradient, of the run's length and no further use here: the run's spare array
   * (MinimizeArraysOptions.spare), so the length is allocated and touched once for both.
   */
  readonly spare: Float32Array;
}

export interface ArrayPathInput {
  readonly optimizer: Optimizer;
  /**
   * The objective on the flat vector in the run's sign (BatchedObjective.minimized: −f when maximising, so
   * the compiled program carries the sign and nothing here negates), reading the batch from `setBatch`.
   */
  readonly f: (x: tfType.Tensor1D) => tfType.Scalar;
  readonly setBatch: (batch: Batch | undefined) => void;
  readonly dataset?: Dataset;
  readonly x0: Float32Array;
  readonly steps: number;
  /** The constraint's projection on tensors (compiled too, or the run stays on tensors). */
  readonly project?: (x: tfType.Tensor1D) => tfType.Tensor1D;
  /** Turned off (RunRequest.compile false, --no-compile, OPTLAB_COMPILE=0). */
  readonly disabled: boolean;
  /** Makes the compiled objective; a sweep's worker hands back the one its earlier runs compiled (sweepReuse.ts). A new one when absent. */
  readonly compiledObjective?: CompiledObjectiveSource;
}

/** The run's compiled objective for its traced function and length. */
export type CompiledObjectiveSource = (objective: TensorObjective, size: number) => CompiledValueAndGrad;

/**
 * Above this many parameters the tensor path's wasm SIMD kernels can beat scalar JS loops (Adam on
 * the Rosenbrock chain, medians: scalar JS 1,900 vs tensors 1,500 steps/s at 1e4, 1,180 vs 1,080
 * at 3e4, 283 vs 330 at 1e5, loops over the parameters). So a larger objective with a long loop left
 * in JS (a kernel without an IR form, such as tanh) is timed both ways before the run (pathProbe.ts)
 * and runs on the faster: when its JS loops run over activations beside matrix products that
 * dominate (examples/tinyTransformer.ts), compiled wins.
 */
export const COMPILED_MAX_PARAMS = 50_000;

/**
 * Both paths timed at x0 with step 0's batch (pathProbe.ts) on the run's arrays: the compiled one writes
 * its gradient into the run's spare, the tensor one reads one tensor of x0 and of the batch made for
 * the whole probe (each evaluation's gradient is the backend's, read back and freed).
 */
export function timedPaths(o: Pick<ArrayPathInput, 'x0' | 'f' | 'setBatch'>, objective: ArrayObjective, inputs: readonly ArrayInput[], toBatch: (tensors: readonly tfType.Tensor[]) => Batch | undefined, grad: Float32Array, tf: typeof tfType): PathProbe {
  const x = tf.tensor1d(o.x0);
  const batch = inputs.map((i) => tf.tensor(i.values, [...i.shape], i.dtype ?? 'float32'));
  const valueAndGrad = tf.valueAndGrad(o.f);
  try {
    return probeFasterPath({
      compiled: () => objective.valueAndGrad(o.x0, 0, grad),
      tensors: () => tf.tidy(() => {
        o.setBatch(toBatch(batch));
        try {
          const { value, grad: g } = valueAndGrad(x);
          value.dataSync();
          g.dataSync();
        } finally {
          o.setBatch(undefined);
        }
      }),
    });
  } finally {
    tf.dispose([x, ...batch]);
  }
}

/** Rows of the host columns for a list of sample indices, in arrays reused per batch length. */
function batchGatherer(columns: readonly HostColumn[]) {
  const cache = new Map<number, ArrayInput[]>();
  return (indices: readonly number[]): ArrayInput[] => {
    let inputs = cache.get(indices.length);
    if (!inputs) {
      inputs = columns.map((c) => {
        const row = c.rowShape.reduce((a, b) => a * b, 1);
        return { values: new Float32Array(indices.length * row), shape: [indices.length, ...c.rowShape], dtype: c.dtype };
      });
      cache.set(indices.length, inputs);
    }
    columns.forEach((c, k) => {
      const row = c.rowShape.reduce((a, b) => a * b, 1);
      const out = (inputs as ArrayInput[])[k].values;
      const from = c.values;
      // Element by element: a subarray view per row made garbage every step (64 rows of 16 numbers here).
      for (let r = 0; r < indices.length; r++) {
        const at = indices[r] * row;
        const to = r * row;
        for (let e = 0; e < row; e++) out[to + e] = from[at + e];
      }
    });
    return inputs;
  };
}

export function planArrayPath(o: ArrayPathInput, tf: typeof tfType): { plan?: ArrayPlan; reason?: string } {
  if (o.disabled) return { reason: 'compilation is turned off (--no-compile, the setting optimizerLab.compileObjectives, or OPTLAB_COMPILE=0)' };
  const arrays = o.optimizer.arrays;
  // A rule that was tried and does not compile says why (compileRule's reason).
  if (!arrays) return { reason: o.optimizer.arraysUnavailable ?? `optimizer '${o.optimizer.id}' has no plain-JS form yet` };

  const host = o.dataset?.hostColumns();
  const toBatch = (tensors: readonly tfType.Tensor[]): Batch | undefined => {
    if (!host) return undefined;
    if (host.single) return tensors[0];
    return Object.fromEntries(host.columns.map((c, k) => [c.name, tensors[k]]));
  };
  // Errors the user's objective throws while it is traced are the user's, not the compiler's: the
  // run stays on tensors, where the same error is reported with its file:line.
  let userError: unknown;
  const compiled = (o.compiledObjective ?? ((f, size) => new CompiledValueAndGrad(f, size)))((x, inputs) => {
    o.setBatch(toBatch(inputs));
    try {
      return o.f(x);
    } catch (e) {
      userError = e;
      throw e;
    } finally {
      o.setBatch(undefined);
    }
  }, o.x0.length);
  const gather = host ? batchGatherer(host.columns) : undefined;
  const everything: ArrayInput[] = host ? host.columns.map((c) => ({ values: c.values, shape: [c.values.length / Math.max(1, c.rowShape.reduce((a, b) => a * b, 1)), ...c.rowShape], dtype: c.dtype })) : [];
  const inputsAt = (step: number): ArrayInput[] => {
    if (!o.dataset || !gather) return [];
    // After the last step (the final point) the loss is measured on the whole data set, as on tensors.
    return step >= o.steps ? everything : gather(o.dataset.indices(step));
  };
  const n = o.x0.length;
  // A single run's final point on the whole data set (a shape its steps never take) is one evaluation on tensors.
  const final = o.dataset && !o.compiledObjective && o.dataset.size > o.dataset.batchSize ? finalOnTensors(o.f, o.setBatch, o.dataset, tf) : undefined;
  let lastOnTensors = false;
  const objective: ArrayObjective = {
    size: n,
    valueAndGrad: (x, step, gradOut) => {
      lastOnTensors = final !== undefined && step >= o.steps;
      return lastOnTensors ? (final as NonNullable<typeof final>).valueAndGrad(x, gradOut) : compiled.run(x, inputsAt(step), gradOut);
    },
    lastGradNormSq: () => (lastOnTensors ? (final as NonNullable<typeof final>).gradNormSq : compiled.gradNormSq),
    shareWorkspace: (workspace) => compiled.shareWorkspace(workspace),
  };
  let probe: PathProbe | undefined;
  const probeGrad = new Float32Array(n);
  try {
    // Compile every batch shape the run will see now (step 0, a short last batch, the whole data set
    // for the final point unless it is evaluated on tensors), so a failure keeps the run on tensors
    // before anything streams.
    const probeSteps = o.dataset ? [0, o.dataset.stepsPerEpoch - 1, ...(final ? [] : [o.steps])] : [0];
    // Compiled without a run at full length: the program's own memory stays untouched while the run's
    // objective works in the optimizer's (shareWorkspace), and the spare stays untouched until the answer.
    for (const step of probeSteps) compiled.prepare(o.x0, inputsAt(step));
    if (n > COMPILED_MAX_PARAMS && !compiled.vectorised) {
      probe = timedPaths(o, objective, inputsAt(0), toBatch, probeGrad, tf);
      if (!probe.compiledFaster) return { reason: `above ${COMPILED_MAX_PARAMS} parameters with loops that have no WebAssembly form, the backend's SIMD kernels were faster (${probe.summary})` };
    }
  } catch (e) {
    releaseAbandonedTape(tf);
    if (e === userError) return { reason: `the objective threw while it was compiled: ${e instanceof Error ? e.message : String(e)}` };
    return { reason: e instanceof NotCompilable ? e.message : `the plain-JS compiler failed (${(e as Error).message}); please report this` };
  }
  let project: ArrayPlan['project'];
  if (o.project) {
    try {
      const compiledProjection = compileVectorFunction(o.project, o.x0);
      project = (x) => compiledProjection.apply(x, x);
    } catch (e) {
      releaseAbandonedTape(tf);
      return { reason: `the constraint's projection does not compile: ${e instanceof NotCompilable ? e.message : (e as Error).message}` };
    }
  }
  const probed = probe ? `above ${COMPILED_MAX_PARAMS} parameters with loops that have no WebAssembly form, compiled was faster (${probe.summary})` : undefined;
  const note = [compiled.checkedAt, probed].filter((part) => part !== undefined).join('; ') || undefined;
  return { plan: { objective, optimizer: arrays, ...(project ? { project } : {}), simd: compiled.wasmLoops > 0, spare: probeGrad, ...(note ? { note } : {}) } };
}
