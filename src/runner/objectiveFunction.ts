/**
 * The user's objective as the core sees it: a scalar function of the flat
 * parameter vector, with the mini-batch of the current step. Shape and
 * gradient-path problems become RunFailures pointing at the user's code.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { ParamLayout } from '../core/paramLayout';
import type { RunError } from '../protocol/runner';
import type { Batch } from './dataset';
import { describe } from './initParams';
import type { UserObjective } from './objectives';
import { RunFailure, locateInStack, trimStack } from './runFailure';

export interface ObjectiveSite {
  readonly name: string;
  readonly file: string;
  readonly line?: number;
  /** Every user source file in the bundle (to find the user's frame in stacks). */
  readonly sources: readonly string[];
}

/** tfjs's message when y has no path back to x (constants, dataSync, arraySync). */
const NO_PATH = /Cannot compute gradient of y=f\(x\) with respect to x/;

export function flatObjective(
  fn: UserObjective,
  layout: ParamLayout,
  site: ObjectiveSite,
  batch: () => Batch | undefined,
  tf: typeof tfType,
): (x: tfType.Tensor1D) => tfType.Scalar {
  const at = site.line ? { file: site.file, line: site.line } : { file: site.file };
  return (x) => {
    const out = fn(layout.unflatten(x), batch());
    if (!(out instanceof tf.Tensor)) {
      const hint = typeof out === 'number' ? ' (build it from the parameter tensor with tf ops, so it can be differentiated)' : '';
      throw new RunFailure({ kind: 'loss-shape', message: `objective '${site.name}' returned ${describe(out)}, not a scalar tensor${hint}`, ...at });
    }
    if (out.size !== 1) {
      throw new RunFailure({
        kind: 'loss-shape',
        message: `objective '${site.name}' returned a tensor of shape [${out.shape.join(', ')}]; the loss must be a scalar (reduce it, e.g. with tf.sum or tf.mean)`,
        ...at,
      });
    }
    return (out.rank === 0 ? out : out.reshape([])) as tfType.Scalar;
  };
}

/** Converts anything thrown while evaluating the objective into a RunFailure for the user. */
export function objectiveFailure(e: unknown, site: ObjectiveSite, during: string): RunFailure {
  if (e instanceof RunFailure) return e;
  const err = e instanceof Error ? e : new Error(String(e));
  if (NO_PATH.test(err.message)) {
    return new RunFailure({
      kind: 'no-gradient',
      message: `objective '${site.name}': the loss does not depend on the parameters (no gradient path); compute it from the parameter tensor with tf ops, not from constants or values read with dataSync()/arraySync()`,
      file: site.file,
      ...(site.line ? { line: site.line } : {}),
    });
  }
  const loc = locateInStack(err.stack, site.sources);
  const error: RunError = {
    kind: 'threw',
    message: `objective '${site.name}' threw ${during}: ${err.message}`,
    ...(loc ?? { file: site.file, ...(site.line ? { line: site.line } : {}) }),
    stack: trimStack(err.stack, site.sources),
  };
  return new RunFailure(error);
}
