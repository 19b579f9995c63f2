/**
 * A rule as an Optimizer on the loop's flat tensor: each update cuts the flat
 * parameters and gradient into the objective's tensors (their own shapes),
 * runs the rule on each inside one tidy, and joins the new parameters again.
 * This is the reference form; the compiled form (./compileRule.ts) is checked against it.
 */
import * as tf from '@tensorflow/tfjs';
import type { HpRecord } from '../hyperparams';
import type { Optimizer, OptimizerState, ParamShapes, StepInput } from '../optimizer';
import type { OptimizerRule, RuleClosures, RuleHyperparams, RuleState } from './optimizerRule';
import { checkRuleUpdate, RuleFailure } from './ruleFailure';
import { stabilityOnTensors } from './ruleStability';

/** The state of every parameter tensor in one flat record: `${slot}.${key}`, plus the step count and last lr. */
export type FlatRuleState = OptimizerState & { step: number; lr: number };

export interface Slot {
  readonly name: string;
  readonly shape: readonly number[];
  readonly offset: number;
  readonly size: number;
}

/** The slots for the given shapes, or one vector of n when there are none (or model scope: one flat vector). */
export function slotsOf(shapes: ParamShapes | undefined, n: number, modelScope: boolean): Slot[] {
  if (!shapes || modelScope) return [{ name: modelScope ? 'params' : '', shape: [n], offset: 0, size: n }];
  let offset = 0;
  return shapes.map(({ name, shape }) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const slot = { name, shape, offset, size };
    offset += size;
    return slot;
  });
}

/** Hyperparameters as the rule receives them: the resolved record with this step's lr. */
export function hpFor(hp: HpRecord, lr: number): RuleHyperparams {
  return { ...(hp as Record<string, number | boolean | number[]>), lr };
}

export function stateOf(state: FlatRuleState, k: number): RuleState {
  const prefix = `${k}.`;
  const out: RuleState = {};
  for (const [key, value] of Object.entries(state)) if (key.startsWith(prefix)) out[key.slice(prefix.length)] = value as tf.Tensor | number;
  return out;
}

/** A slot's piece of the flat vector, in the slot's own shape. */
function pieceOf(flat: tf.Tensor1D, slots: readonly Slot[], s: Slot): tf.Tensor {
  return slots.length === 1 ? flat.reshape(s.shape as number[]) : flat.slice(s.offset, s.size).reshape(s.shape as number[]);
}

export function ruleOnTensors(id: string, rule: OptimizerRule, hp: HpRecord, shapes: ParamShapes | undefined): Optimizer<FlatRuleState> {
  const modelScope = rule.scope === 'model';
  let slots: Slot[] = [];
  return {
    id,
    hp,
    init(params) {
      slots = slotsOf(shapes, params.size, modelScope);
      return initState(id, rule, hp, slots, params);
    },
    update(input: StepInput, state: FlatRuleState) {
      let extraEvals = 0;
      const closures: RuleClosures | undefined = modelScope
        ? {
            loss: input.loss,
            evaluate: (x) => (extraEvals++, input.evaluate(x)),
            hvp: (v) => (extraEvals++, input.hvp(input.params, v)),
          }
        : undefined;
      const { params, next } = updateSlots(id, rule, hp, slots, input, state, closures);
      const kept = new Set(Object.values(next));
      for (const value of Object.values(state)) if (value instanceof tf.Tensor && !kept.has(value)) value.dispose();
      return { params, state: next, extraEvals };
    },
    disposeState(state) {
      for (const value of Object.values(state)) if (value instanceof tf.Tensor) value.dispose();
    },
    ...(rule.stability ? { stability: stabilityOnTensors(rule, hp, () => slots) } : {}),
    ...(rule.evaluationPoint ? { evaluationPoint: (params: tf.Tensor1D, state: FlatRuleState) => evaluationPointOf(id, rule, hp, slots, params, state) } : {}),
    inspect: (state) => inspectSlots(rule, hp, slots, state),
  };
}

/** Every slot's init, checked, in one flat record (kept tensors; a param handed back as state is cloned). */
function initState(id: string, rule: OptimizerRule, hp: HpRecord, slots: readonly Slot[], params: tf.Tensor1D): FlatRuleState {
  const state: FlatRuleState = { step: 0, lr: 0 };
  tf.tidy(() => {
    slots.forEach((s, k) => {
      let init: RuleState;
      try {
        init = rule.init(pieceOf(params, slots, s), hpFor(hp, rule.defaults.lr));
      } catch (e) {
        throw new RuleFailure(id, 'init', s.name, 0, e);
      }
      checkRuleUpdate(id, 'init', s, 0, { param: undefined, state: init }, undefined);
      for (const [key, value] of Object.entries(init)) {
        if (value instanceof tf.Tensor) tf.keep(value === params ? value.clone() : value);
        state[`${k}.${key}`] = value;
      }
    });
  });
  return state;
}

/** One update of every slot inside one tidy: the new flat params and the next state (its tensors kept). */
function updateSlots(
  id: string, rule: OptimizerRule, hp: HpRecord, slots: readonly Slot[], input: StepInput, state: FlatRuleState, closures: RuleClosures | undefined,
): { params: tf.Tensor1D; next: FlatRuleState } {
  const t = state.step + 1;
  const rulesHp = hpFor(hp, input.lr);
  const next: FlatRuleState = { step: t, lr: input.lr };
  const params = tf.tidy(() => {
    const pieces = slots.map((s, k) => {
      const before = stateOf(state, k);
      let out;
      try {
        out = rule.update(pieceOf(input.grad, slots, s), before, pieceOf(input.params, slots, s), rulesHp, { step: t, name: s.name, ...(closures ? { closures } : {}) });
      } catch (e) {
        throw new RuleFailure(id, 'update', s.name, t, e);
      }
      checkRuleUpdate(id, 'update', s, t, out, before);
      for (const [key, value] of Object.entries(out.state)) {
        // Kept tensors survive the tidy; the caller's inputs are never handed back as new state.
        if (value instanceof tf.Tensor) tf.keep(value === input.params || value === input.grad ? value.clone() : value);
        next[`${k}.${key}`] = value;
      }
      return out.param.reshape([-1]);
    });
    return (pieces.length === 1 ? pieces[0].clone() : tf.concat(pieces)) as tf.Tensor1D;
  });
  return { params, next };
}

/**
 * Each state key (and each view the rule derives) joined over the parameter tensors, flat like the
 * params, where every tensor has it at full size.
 */
function inspectSlots(rule: OptimizerRule, hp: HpRecord, slots: readonly Slot[], state: FlatRuleState): Record<string, tf.Tensor> {
  return tf.tidy(() => {
    const perSlot = slots.map((s, k) => {
      const own = stateOf(state, k);
      return rule.inspect ? { ...own, ...rule.inspect(own, hpFor(hp, state.lr), { step: state.step, name: s.name }) } : own;
    });
    const views: Record<string, tf.Tensor> = {};
    const keys = new Set(Object.keys(perSlot[0] ?? {}));
    for (const key of keys) {
      const parts = perSlot.map((own) => own[key]);
      if (!parts.every((p, k): p is tf.Tensor => p instanceof tf.Tensor && p.size === slots[k].size)) continue;
      const flat = parts.map((p) => p.reshape([-1]));
      views[key] = flat.length === 1 ? flat[0].clone() : tf.concat(flat);
    }
    return views;
  });
}

/** The rule's evaluation point of every parameter tensor, joined flat like the params (a new tensor: the caller disposes). */
function evaluationPointOf(id: string, rule: OptimizerRule, hp: HpRecord, slots: readonly Slot[], params: tf.Tensor1D, state: FlatRuleState): tf.Tensor1D {
  const evaluationPoint = rule.evaluationPoint as NonNullable<OptimizerRule['evaluationPoint']>;
  return tf.tidy(() => {
    const pieces = slots.map((s, k) => {
      const param = pieceOf(params, slots, s);
      let point: tf.Tensor;
      try {
        point = evaluationPoint(stateOf(state, k), param, hpFor(hp, state.lr));
      } catch (e) {
        throw new RuleFailure(id, 'update', s.name, state.step + 1, e);
      }
      if (!(point instanceof tf.Tensor) || point.size !== s.size) {
        throw new RuleFailure(id, 'update', s.name, state.step + 1, new Error(`evaluationPoint must return a tensor of the parameter's shape [${s.shape.join(', ')}]`), true);
      }
      return point.reshape([-1]);
    });
    // A clone even for one piece: the point may be a state tensor, which the caller must not dispose.
    return (pieces.length === 1 ? pieces[0].clone() : tf.concat(pieces)) as tf.Tensor1D;
  });
}
