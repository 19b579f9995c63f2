/**
 * What step records carry beyond loss and norms when a run asks for per-step diagnostics (issue 21): the norms
 * of each named parameter tensor and Cockpit's step-size gauge α (src/core/stepSizeGauge.ts). Both are exact
 * for the records they are on (no estimate, so no error to report) except the gauge's fit, whose misfit says
 * how far the loss is from a quadratic along the step, and whether both ends saw one batch.
 */
import { z } from 'zod';

/** Records carry per-step diagnostics every this many steps at most (the stride keeps a long run's records small). */
export const STEP_DIAGNOSTICS_POINTS = 1000;

/** Every how many steps a run of `steps` steps measures them (1 up to STEP_DIAGNOSTICS_POINTS steps). */
export function stepDiagnosticsStride(steps: number): number {
  return Math.max(1, Math.ceil(steps / STEP_DIAGNOSTICS_POINTS));
}

/** The named tensors per-tensor figures refer to, in the order of their arrays (RunMeta.tensors). */
export const tensorListSchema = z.array(z.object({ name: z.string(), size: z.number().int().positive() }));

/** Norms per named tensor, in RunMeta.tensors' order; the update/parameter ratio is derived from them. */
export const tensorNormsSchema = z.object({
  /** ‖∇f‖ of each tensor at the record's parameters (the raw gradient, before clipping or noise). */
  grad: z.array(z.number().nonnegative()),
  /** ‖θ‖ of each tensor at the record's parameters (before the record's update). */
  param: z.array(z.number().nonnegative()),
  /** ‖Δθ‖ of the record's update of each tensor. */
  update: z.array(z.number().nonnegative()),
}).refine((t) => t.grad.length === t.param.length && t.param.length === t.update.length, { message: 'grad, param and update need one entry per tensor' });
export type TensorNorms = z.infer<typeof tensorNormsSchema>;

/** The step-size gauge of the update that arrived at the record's parameters (update step − 1). */
export const stepGaugeSchema = z.object({
  /** α: −1 no move, 0 at the fit's minimum, 1 at the valley's other side; null when the fit says nothing. */
  alpha: z.number().nullable(),
  /** |Δf − t·(f′(0) + f′(t))/2| over t·(|f′(0)| + |f′(t)|)/2: the loss change against the slopes' quadratic prediction (0: quadratic along the step; null: not finite). */
  misfit: z.number().nonnegative().nullable(),
  shape: z.enum(['convex', 'not-convex']),
  /** Both ends' losses and gradients on the same data: on mini-batches the far end is evaluated again on the update's own batch (false: consecutive batches, as runners before that recorded). */
  sameBatch: z.boolean(),
});
export type StepGaugeRecord = z.infer<typeof stepGaugeSchema>;

/** Fields merged into the protocol's stepRecordSchema (src/protocol/runner.ts). */
export const stepDiagnosticsShape = {
  tensors: tensorNormsSchema.optional(),
  gauge: stepGaugeSchema.optional(),
};

/** The update/parameter ratio ‖Δθ‖/‖θ‖ of tensor k, or null when ‖θ‖ is 0 (no ratio then). */
export function updateRatio(t: TensorNorms, k: number): number | null {
  return t.param[k] > 0 ? t.update[k] / t.param[k] : null;
}
