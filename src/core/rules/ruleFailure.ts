/**
 * What goes wrong inside a user's rule, said in the user's terms: which rule,
 * which phase, which parameter tensor, which step. The original error (its
 * stack points at the rule's file:line) is kept as `cause` so the runner can
 * name the line.
 */
import * as tf from '@tensorflow/tfjs';
import type { RuleState } from './optimizerRule';

export class RuleFailure extends Error {
  constructor(
    readonly rule: string,
    readonly phase: 'init' | 'update',
    readonly param: string,
    /** ctx.step of the failing update (1-based; 0 for init). */
    readonly step: number,
    override readonly cause: unknown,
    /** True when the rule ran but returned something unusable (not thrown by the user's code). */
    readonly badResult = false,
  ) {
    // Records count from 0 (step k is measured before update k); ctx.step counts updates from 1.
    const at = phase === 'update' ? ` at step ${step - 1} (ctx.step ${step})` : '';
    const where = `${phase} of optimizer rule '${rule}'${param ? ` for parameter '${param}'` : ''}${at}`;
    super(`${where}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'RuleFailure';
  }
}

const shapeText = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/**
 * Checks an update's (or init's) result: a tensor parameter of the parameter's shape, a state record of
 * tensors and numbers with the keys it had before. Throws RuleFailure (badResult) naming what is wrong.
 */
export function checkRuleUpdate(
  rule: string,
  phase: 'init' | 'update',
  slot: { readonly name: string; readonly shape: readonly number[] },
  step: number,
  out: { param: unknown; state: unknown } | undefined,
  before: RuleState | undefined,
): void {
  const fail = (message: string) => {
    throw new RuleFailure(rule, phase, slot.name, step, new Error(message), true);
  };
  if (phase === 'init') {
    if (typeof out?.state !== 'object' || out.state === null || out.state instanceof tf.Tensor) fail('init must return a record of state tensors, e.g. { m: tf.zerosLike(param) }');
  } else {
    if (typeof out !== 'object' || out === null) fail('update must return { param, state }');
    const param = (out as { param: unknown }).param;
    if (!(param instanceof tf.Tensor)) fail(`update must return param as a tensor, got ${typeof param}`);
    const p = param as tf.Tensor;
    if (!tf.util.arraysEqual(p.shape, slot.shape as number[])) fail(`update returned param of shape ${shapeText(p.shape)}, expected ${shapeText(slot.shape)}`);
  }
  const state = (out as { state: unknown }).state;
  if (typeof state !== 'object' || state === null) fail(`${phase} must return a state record`);
  for (const [key, value] of Object.entries(state as Record<string, unknown>)) {
    if (!(value instanceof tf.Tensor) && typeof value !== 'number') fail(`state.${key} must be a tensor or a number, got ${typeof value}`);
    if (value instanceof tf.Tensor && value.isDisposed) fail(`state.${key} was disposed: return new tensors and never dispose state`);
    const old = before?.[key];
    if (old instanceof tf.Tensor && value instanceof tf.Tensor && !tf.util.arraysEqual(old.shape, value.shape)) {
      fail(`state.${key} changed shape from ${shapeText(old.shape)} to ${shapeText(value.shape)}`);
    }
  }
  if (before) {
    const missing = Object.keys(before).filter((k) => !(k in (state as object)));
    if (missing.length) fail(`update dropped state ${missing.map((k) => `'${k}'`).join(', ')} (return every key init made)`);
  }
}
