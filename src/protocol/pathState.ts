/**
 * The optimizer's state at a path point, for the dashboard's replay: sent on
 * step records of objectives with at most TRAJECTORY_MAX_PARAMS parameters
 * (their `params` draw the path). `grad` comes with every such record; the
 * optimizer's own vectors only when the request asks for them (`pathState`),
 * thinned to about PATH_STATE_POINTS records per run.
 */
import { z } from 'zod';

/** A run asking for `pathState` gets the optimizer's vectors on about this many records (every k-th step). */
export const PATH_STATE_POINTS = 2_000;

export const pathStateSchema = z.object({
  /** The raw gradient at the record's parameters (before clipping or noise), of the minimised function. */
  grad: z.array(z.number()),
  /** The momentum buffer or first moment after this step's update ('momentum_buffer', 'exp_avg', …: `momentKey`). */
  moment: z.array(z.number()).optional(),
  momentKey: z.string().optional(),
  /** Adam-style per-coordinate step of this update, lr·m̂/(√v̂ + ε) (the rule's `effective_step`). */
  effectiveStep: z.array(z.number()).optional(),
});
export type PathState = z.infer<typeof pathStateSchema>;

/** Which records of a run of `steps` steps carry the optimizer's vectors. */
export function pathStateStride(steps: number): number {
  return Math.max(1, Math.ceil(steps / PATH_STATE_POINTS));
}
