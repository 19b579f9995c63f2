import * as tf from '@tensorflow/tfjs';
import type { HpRecord } from '../hyperparams';
import type { Optimizer } from '../optimizer';

/** Per-parameter state tensors by torch's state names (exp_avg, square_avg, …), each as long as the flat vector. */
export type Slots = Record<string, tf.Tensor1D>;

/**
 * State of an elementwise optimizer: its slots, torch's `state['step']` (updates
 * done), the lr of the last update (for `inspect`) and any plain-number state
 * (NAdam's mu_product). Flat, so it can be inspected and checkpointed as is.
 */
export type ElementwiseState = { step: number; lr: number } & { [key: string]: tf.Tensor1D | number };

export interface StepContext {
  readonly params: tf.Tensor1D;
  readonly grad: tf.Tensor1D;
  readonly lr: number;
  /** torch's `state['step']` during this update: 1 on the first one. */
  readonly t: number;
  /** Plain-number state before this update. */
  readonly numbers: Readonly<Record<string, number>>;
}

export interface StepOutput {
  readonly params: tf.Tensor1D;
  readonly slots: Slots;
  /** Plain-number state after this update (only the keys that change). */
  readonly numbers?: Record<string, number>;
}

/** The update rule of one optimizer; `init`, `step` and `inspect` run inside `tf.tidy`. */
export interface ElementwiseRule {
  init(params: tf.Tensor1D): Slots;
  readonly numbers?: Readonly<Record<string, number>>;
  step(ctx: StepContext, slots: Slots): StepOutput;
  /** Derived per-parameter views for the dashboard (e.g. Adam's effective step). */
  inspect?(ctx: { t: number; lr: number; numbers: Readonly<Record<string, number>> }, slots: Slots): Slots;
}

function split(state: ElementwiseState): { slots: Slots; numbers: Record<string, number> } {
  const slots: Slots = {};
  const numbers: Record<string, number> = {};
  for (const [key, value] of Object.entries(state)) {
    if (typeof value === 'number') numbers[key] = value;
    else slots[key] = value;
  }
  return { slots, numbers };
}

/**
 * Wraps an update rule as an Optimizer: each update is one tidy op chain, the
 * old slots that were replaced are disposed, and nothing is read back.
 */
export function elementwiseOptimizer(id: string, hp: HpRecord, rule: ElementwiseRule): Optimizer<ElementwiseState> {
  return {
    id,
    hp,
    init: (params) => ({ ...rule.numbers, ...tf.tidy(() => rule.init(params)), step: 0, lr: 0 }),
    update(input, state) {
      const { slots, numbers } = split(state);
      const t = state.step + 1;
      const out = tf.tidy(() => {
        const o = rule.step({ params: input.params, grad: input.grad, lr: input.lr, t, numbers }, slots);
        // The caller owns (and disposes) the inputs: never hand them back as new state.
        const own = (x: tf.Tensor1D) => (x === input.params || x === input.grad ? x.clone() : x);
        const newSlots: Slots = {};
        for (const [k, v] of Object.entries(o.slots)) newSlots[k] = own(v);
        return { params: own(o.params), slots: newSlots, numbers: o.numbers ?? {} };
      });
      for (const [k, v] of Object.entries(slots)) if (out.slots[k] !== v) v.dispose();
      return {
        params: out.params,
        state: { ...numbers, ...out.numbers, ...out.slots, step: t, lr: input.lr },
        extraEvals: 0,
      };
    },
    disposeState(state) {
      for (const value of Object.values(state)) if (typeof value !== 'number') value.dispose();
    },
    inspect(state) {
      const { slots, numbers } = split(state);
      return tf.tidy(() => {
        const views: Record<string, tf.Tensor> = {};
        for (const [k, v] of Object.entries(slots)) views[k] = v.clone();
        if (rule.inspect) Object.assign(views, rule.inspect({ t: state.step, lr: state.lr, numbers }, slots));
        return views;
      });
    },
  };
}

/**
 * num / den, except 0 where den is 0. Every denominator here is sqrt(…) + eps,
 * so it is 0 only when eps is 0 (or rounds to 0 in float32): then torch gives
 * 0/0 = NaN or g/0 = Inf and we give a zero step instead. With eps > 0 this is
 * a plain division (no extra ops).
 */
export function divideSafely(num: tf.Tensor1D, den: tf.Tensor1D, eps: number): tf.Tensor1D {
  return Math.fround(eps) > 0 ? tf.div(num, den) : tf.divNoNan(num, den);
}

/** torch's `a.addcmul(t1, t2, value)`: a + (value·t1)·t2, in that order (it decides when float32 overflows). */
export function addcmul(a: tf.Tensor1D, value: number, t1: tf.Tensor1D, t2: tf.Tensor1D): tf.Tensor1D {
  return tf.add(a, tf.mul(tf.mul(t1, value), t2));
}

/** torch's `a.addcdiv(t1, t2, value)`: a + (value·t1)/t2, with `divideSafely`'s zero-denominator rule. */
export function addcdiv(a: tf.Tensor1D, value: number, t1: tf.Tensor1D, t2: tf.Tensor1D, eps: number): tf.Tensor1D {
  return tf.add(a, divideSafely(tf.mul(t1, value), t2, eps));
}

/** torch's `grad.add(param, alpha=weight_decay)` (L2 penalty), skipped when 0 as torch does. */
export function withWeightDecay(grad: tf.Tensor1D, params: tf.Tensor1D, weightDecay: number): tf.Tensor1D {
  return weightDecay !== 0 ? tf.add(grad, tf.mul(params, weightDecay)) : grad;
}

/** torch's `buf.mul_(beta).add_(x, alpha=1-beta)`: an exponential moving average. */
export function ema(buf: tf.Tensor1D, beta: number, x: tf.Tensor1D): tf.Tensor1D {
  return tf.add(tf.mul(buf, beta), tf.mul(x, 1 - beta));
}
