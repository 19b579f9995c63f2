/**
 * The training loop of one run, compiled or on tensors (the same core loop either way): the schedule with
 * mid-run lr changes, the time limit, cancellation, how step records leave, per-step diagnostics, and the
 * curvature samples and landscape path observed along the way.
 */
import type * as tfType from '@tensorflow/tfjs';
import { minimizeArrays } from '../core/arrays/minimizeArrays';
import type { gradientTransform } from '../core/gradientTransforms';
import { minimize } from '../core/minimize';
import type { MinimizeResult, StepMetrics } from '../core/loopRecords';
import type { Optimizer } from '../core/optimizer';
import type { Schedule } from '../core/schedule';
import { pathStateStride } from '../protocol/pathState';
import { TRAJECTORY_MAX_PARAMS, type RunRequest } from '../protocol/runner';
import type { planArrayPath } from './arrayPath';
import type { BatchedObjective } from './batchedObjective';
import type { CurvatureSampler } from './curvatureSampler';
import type { LandscapeTask } from './landscape';
import type { PreparedObjective } from './objectives';
import type { Emit, RunControl } from './runControl';
import { farEndOnArrays, farEndOnTensors } from './gaugeFarEnd';
import { afterMeasured, measuredGradient, type stepDiagnosticsFor } from './stepDiagnostics';

/** Yield to the event loop at least this often (ms) so cancel/setLr messages are seen. */
const YIELD_MS = 10;

export interface LoopInputs {
  readonly req: RunRequest;
  readonly tf: typeof tfType;
  readonly emit: Emit;
  readonly control: RunControl;
  /** When the request arrived (Date.now()): the time limit counts from there. */
  readonly received: number;
  readonly arrayPath: ReturnType<typeof planArrayPath>;
  readonly objective: BatchedObjective;
  readonly prepared: PreparedObjective;
  readonly optimizer: Optimizer;
  readonly x0Values: Float32Array;
  readonly transformGradient: ReturnType<typeof gradientTransform>;
  readonly perStep: ReturnType<typeof stepDiagnosticsFor>;
  readonly curvature: CurvatureSampler;
  readonly landscape: LandscapeTask;
  /** The run's schedule with mid-run lr changes applied. */
  readonly schedule: Schedule;
  readonly lrAt: (step: number) => number;
  /** The optimizer's state is recorded on the path (pathState). */
  readonly stateWanted: boolean;
}

/** Runs the loop on the compiled plan when there is one, else on tensors; the final parameters as a tensor (made when first read, when compiled) and as an array when compiled. */
export async function runLoop(inputs: LoopInputs): Promise<{ result: MinimizeResult; finalValues?: Float32Array }> {
  const { req, tf, emit, control, received, arrayPath, objective, prepared, optimizer, x0Values, transformGradient, perStep, curvature, landscape, lrAt, stateWanted } = inputs;
  const { evaluate } = objective;
  const layout = prepared.layout;
  const controlled = inputs.schedule;
  let lastYield = Date.now();
  const remainingMs = req.timeLimitMs - (Date.now() - received);
  const onMetrics = (steps: readonly StepMetrics[]) => {
    landscape.observe(steps);
    emit({ type: 'steps', runId: req.runId, steps: perStep ? perStep.decorate(steps) : [...steps] });
  };
  // What both loops share: schedule, limits, cancellation, mid-run lr changes and how records leave.
  const loop = {
    schedule: controlled,
    steps: req.steps,
    // The path's points (a small run's) only for a caller that keeps them: a sweep's worker keeps losses.
    recordParams: layout.size <= TRAJECTORY_MAX_PARAMS && control.lossesOnly !== true,
    ...(stateWanted ? { stateEvery: pathStateStride(req.steps) } : {}),
    onMetrics,
    isCancelled: control.isCancelled,
    timeLimitMs: Math.max(0, remainingMs),
    flushIntervalMs: 25,
  };
  if (arrayPath.plan) {
    const arrays = await minimizeArrays({
      objective: arrayPath.plan.objective,
      optimizer: arrayPath.plan.optimizer,
      x0: x0Values,
      project: arrayPath.plan.project,
      spare: arrayPath.plan.spare,
      transformGradient: measuredGradient(perStep, transformGradient, () => undefined),
      ...loop,
      afterStep: afterMeasured(perStep, (step, x) => {
        void control.stepDone?.(step, x);
        // A tensor of x only when a curvature sample is due (the loop yields to the event loop itself).
        if (!curvature.isDue(step + 1)) return control.backpressure?.();
        const xt = tf.tensor1d(x);
        return curvature.maybeSample(step + 1, xt, lrAt(step + 1)).finally(() => xt.dispose());
      }, perStep?.wantsFarEnd ? farEndOnArrays(arrayPath.plan.objective) : undefined),
    });
    // The final point's tensor only when asked for (a final curvature sample): at n = 1e7 it cost 40 MB of the backend's heap.
    let params: tfType.Tensor1D | undefined;
    const result: MinimizeResult = { ...arrays, get params() { return (params ??= tf.tensor1d(arrays.params)); } };
    return { result, finalValues: arrays.params };
  }
  const result = await minimize({
    evaluate,
    loss: objective.lossOnly,
    x0: prepared.x0,
    optimizer,
    hvp: objective.hvp,
    transformGradient,
    ...(perStep ? { observeGradient: (g: Float32Array, step: number) => perStep.gradient(g, step) } : {}),
    project: prepared.project,
    ...loop,
    afterStep: afterMeasured(perStep, async (step, x) => {
      await control.stepDone?.(step, x);
      await control.backpressure?.();
      await curvature.maybeSample(step + 1, x, lrAt(step + 1));
      if (Date.now() - lastYield >= YIELD_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        lastYield = Date.now();
      }
    }, perStep?.wantsFarEnd ? farEndOnTensors(evaluate, tf) : undefined),
  });
  return { result };
}
