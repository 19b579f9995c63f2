/**
 * Projections onto an objective's feasible set (`fn.constraint`), applied by
 * the loop after every update (projected gradient descent):
 * 'nonnegative' → max(x, 0); {ball: r} → x·min(1, r/‖x‖) (ball at the origin);
 * {box: [[lo, hi], ...]} → per-coordinate clip (one pair for all coordinates, or one per parameter);
 * a function receives the parameters as the objective does and returns them projected.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { ParamLayout, Params } from '../core/paramLayout';
import { InitError } from './initParams';

export type Projection = (x: tfType.Tensor1D) => tfType.Tensor1D;

function isPair(v: unknown): v is [number, number] {
  return Array.isArray(v) && v.length === 2 && v.every((n) => typeof n === 'number' && !Number.isNaN(n)) && v[0] <= v[1];
}

export function projectionOf(constraint: unknown, layout: ParamLayout, tf: typeof tfType): Projection | undefined {
  if (constraint === undefined) return undefined;
  if (constraint === 'nonnegative') return (x) => tf.relu(x);
  if (typeof constraint === 'function') {
    const user = constraint as (p: Params) => Params;
    return (x) =>
      tf.tidy(() => {
        const out = user(layout.unflatten(x));
        const flat = layout.flatten(out);
        if (flat.size !== layout.size) throw new Error(`constraint returned ${flat.size} values for ${layout.size} parameters`);
        return flat;
      });
  }
  if (typeof constraint === 'object' && constraint !== null && 'ball' in constraint) {
    const r = (constraint as { ball: unknown }).ball;
    if (typeof r !== 'number' || !(r > 0) || !Number.isFinite(r)) throw new InitError(`constraint {ball: r} needs a finite radius r > 0, got ${JSON.stringify(r)}`);
    return (x) => tf.tidy(() => tf.mul(x, tf.minimum(1, tf.divNoNan(tf.scalar(r), tf.norm(x)))) as tfType.Tensor1D);
  }
  if (typeof constraint === 'object' && constraint !== null && 'box' in constraint) {
    const box = (constraint as { box: unknown }).box;
    const pairs = isPair(box) ? [box] : box;
    if (!Array.isArray(pairs) || !pairs.every(isPair) || (pairs.length !== 1 && pairs.length !== layout.size)) {
      throw new InitError(
        `constraint {box} needs [lo, hi] or one [lo, hi] pair (lo <= hi) per parameter (${layout.size}), got ${JSON.stringify(box)}`,
      );
    }
    const lo = pairs.length === 1 ? Array(layout.size).fill(pairs[0][0]) : pairs.map((p) => p[0]);
    const hi = pairs.length === 1 ? Array(layout.size).fill(pairs[0][1]) : pairs.map((p) => p[1]);
    return (x) => tf.tidy(() => tf.minimum(tf.maximum(x, tf.tensor1d(lo)), tf.tensor1d(hi)) as tfType.Tensor1D);
  }
  throw new InitError(
    `constraint must be 'nonnegative', {ball: r}, {box: [[lo, hi], ...]} or a function, got ${JSON.stringify(constraint)}`,
  );
}

