import type { StepState } from '../loopRecords';

/** State keys read as the first moment, in order of preference. */
const MOMENT_KEYS = ['exp_avg', 'momentum_buffer', 'grad_avg', 'exp_avg_fast'];

/**
 * What the replay draws at a path point (src/protocol/pathState.ts): the raw gradient and, when the
 * optimizer's views are given (its `inspect` after the update), its first moment and effective step,
 * each only when it is a vector as long as the gradient.
 */
export function recordedState(grad: number[], views: Record<string, Float32Array> | undefined): StepState {
  if (!views) return { grad };
  const momentKey = MOMENT_KEYS.find((k) => views[k]?.length === grad.length);
  const effective = views.effective_step?.length === grad.length ? views.effective_step : undefined;
  return {
    grad,
    ...(momentKey ? { moment: Array.from(views[momentKey]), momentKey } : {}),
    ...(effective ? { effectiveStep: Array.from(effective) } : {}),
  };
}
