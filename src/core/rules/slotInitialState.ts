/**
 * A compiled rule's slots' initial state (./compileRule.ts): the rule's init compiled at a small length for a
 * long vector (./initAtSmallLength.ts), else run on tensors; the trial parameters of the compile before the run.
 * At n = 1e7 the state is written once, into the kernel's own memory (Adam's zeros: not at all into a new
 * one), and nothing of the full length is made before the run: the init ran twice at full length and its
 * program's memory and the trial parameters held 160 MB.
 */
import * as tf from '@tensorflow/tfjs';
import { NotCompilable } from '../compiled/program';
import type { HpRecord } from '../hyperparams';
import type { ParamShapes } from '../optimizer';
import { compileInitAtSmallLength, type CompiledInit } from './initAtSmallLength';
import type { OptimizerRule, RuleState } from './optimizerRule';
import { RuleFailure } from './ruleFailure';
import { hpFor, slotsOf, type Slot } from './ruleOnTensors';
import type { SlotSpec } from './traceRule';
import { smallLengthsOf } from './traceRuleAtSmallLength';

/**
 * A slot's initial state: what a trace at a small length reads (the first entries, or all), the whole state
 * made on demand (a trace at full length), and the state written into a kernel's memory (at the run).
 */
export interface SlotState {
  readonly sample: readonly Float32Array[];
  full(): readonly Float32Array[];
  /** `zeroed`: the targets hold zeros (a new program's memory), so a state of zeros needs no writing (nor its pages touching). */
  writeInto(targets: readonly Float32Array[], zeroed: boolean): void;
}

const stateOfArrays = (arrays: readonly Float32Array[]): SlotState => ({
  sample: arrays, full: () => arrays, writeInto: (targets) => arrays.forEach((a, j) => targets[j].set(a)),
});

/**
 * Trial parameters for the compile before the run: 0.5 throughout, but a long vector's slot is filled only as far
 * as a small-length trace reads until something reads it whole (`complete`): at n = 1e7 the rest is 40 MB not touched.
 */
export function trialParams(shapes: ParamShapes): { params: Float32Array; complete(): void } {
  const slots = slotsOf(shapes, 0, false);
  const params = new Float32Array(slots.reduce((n, slot) => n + slot.size, 0));
  let completed = false;
  for (const slot of slots) params.subarray(slot.offset, slot.offset + (smallLengthsOf(slot.shape)?.[1] ?? slot.size)).fill(0.5);
  return { params, complete: () => void (completed || ((completed = true), params.fill(0.5))) };
}

/**
 * Which state tensor the rule's evaluation point is (schedule-free's x): the index of its key in `keys`, -1
 * without an evaluationPoint. A point computed anew each time would need a program of its own: not compiled.
 */
function evaluationPointKey(id: string, rule: OptimizerRule, hp: HpRecord, slot: Slot, init: RuleState, param: tf.Tensor, keys: readonly string[]): number {
  if (!rule.evaluationPoint) return -1;
  const evaluationPoint = rule.evaluationPoint;
  let point: tf.Tensor;
  try {
    // tidy frees what the rule makes on the way to a new point; a state tensor comes back as it is.
    point = tf.tidy(() => evaluationPoint(init, param, hpFor(hp, rule.defaults.lr)));
  } catch (e) {
    throw new RuleFailure(id, 'update', slot.name, 1, e);
  }
  const index = keys.findIndex((key) => init[key] === point);
  if (index >= 0) return index;
  if (point instanceof tf.Tensor && point !== param) point.dispose();
  throw new NotCompilable('its evaluationPoint compiles only when it returns one of the state tensors as they are (as schedule-free returns x)');
}

/** Runs the rule's init on one slot's values: the state's tensors (as arrays) and numbers. */
function initialState(id: string, rule: OptimizerRule, hp: HpRecord, slot: Slot, params: Float32Array) {
  const param = tf.tensor(params.subarray(slot.offset, slot.offset + slot.size), slot.shape as number[]);
  let init: RuleState = {};
  try {
    try {
      // tidy frees what init makes on the way; the state it returns is kept.
      init = tf.tidy(() => rule.init(param, hpFor(hp, rule.defaults.lr)) as unknown as tf.TensorContainer) as unknown as RuleState;
    } catch (e) {
      throw new RuleFailure(id, 'init', slot.name, 0, e);
    }
    const keys: string[] = [];
    const arrays: Float32Array[] = [];
    const numbers: Record<string, number> = {};
    for (const [key, value] of Object.entries(init)) {
      if (typeof value === 'number') numbers[key] = value;
      else if (value instanceof tf.Tensor && value.dtype === 'float32') {
        keys.push(key);
        arrays.push(Float32Array.from(value.dataSync()));
      } else throw new NotCompilable(`state.${key} is not a float32 tensor or a number`);
    }
    const spec: SlotSpec = { name: slot.name, shape: slot.shape, stateKeys: keys, stateShapes: keys.map((k) => (init[k] as tf.Tensor).shape) };
    return { spec, arrays, numbers, point: evaluationPointKey(id, rule, hp, slot, init, param, keys) };
  } finally {
    // The rule's init may make intermediates too: everything it made goes, the state was copied out.
    param.dispose();
    for (const value of Object.values(init)) if (value instanceof tf.Tensor) value.dispose();
  }
}

/**
 * Each slot's initial state: a long vector's init compiled at a small length (then applied to its values)
 * when that compiles, else the rule's init on tensors.
 */
export function initialStates(id: string, rule: OptimizerRule, hp: HpRecord) {
  /** Per slot: its init compiled at a small length, or undefined when it runs on tensors. */
  const inits = new Map<number, CompiledInit | undefined>();
  /** `complete`: makes `params` whole before anything reads past a small-length trace's entries (trialParams). */
  const initialStateOf = (slot: Slot, k: number, params: Float32Array, complete?: () => void) => {
    const lengths = smallLengthsOf(slot.shape);
    const values = params.subarray(slot.offset, slot.offset + slot.size);
    if (lengths && !inits.has(k)) {
      let init: CompiledInit | { reason: string };
      try {
        init = compileInitAtSmallLength(rule, hp, slot.size, lengths, values);
      } catch (e) {
        init = { reason: (e as Error).message };
      }
      inits.set(k, 'reason' in init ? undefined : init);
    }
    const init = inits.get(k);
    if (!init) {
      complete?.();
      const { arrays, ...rest } = initialState(id, rule, hp, slot, params);
      return { ...rest, state: stateOfArrays(arrays) };
    }
    const spec: SlotSpec = { name: slot.name, shape: slot.shape, stateKeys: init.keys, stateShapes: init.shapes };
    // No state of the full length made here: a fill (Adam's zeros) goes straight into the kernel's memory at the run.
    const state: SlotState = {
      sample: init.sample(values),
      full: () => (complete?.(), init.apply(values)),
      writeInto: (targets, zeroed) => init.applyInto(values, targets, zeroed),
    };
    return { spec, state, numbers: { ...init.numbers }, point: -1 };
  };
  return { initialStateOf, forgetCompiledInits: () => inits.clear() };
}

