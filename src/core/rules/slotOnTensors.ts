import * as tf from '@tensorflow/tfjs';
import type { HpRecord } from '../hyperparams';
import type { OptimizerRule, RuleState } from './optimizerRule';
import { RuleFailure } from './ruleFailure';
import { hpFor, type Slot } from './ruleOnTensors';

/** One slot's values for an update on TensorFlow.js: read from, and written back to, the compiled run's arrays. */
export interface SlotArrays {
  readonly param: Float32Array;
  readonly grad: Float32Array;
  readonly paramOut: Float32Array;
  /** The state tensors' values, in place (the kernel memory they live in stays theirs). */
  readonly state: readonly Float32Array[];
  readonly stateKeys: readonly string[];
  readonly stateShapes: readonly (readonly number[])[];
  readonly numbers: Readonly<Record<string, number>>;
}

/**
 * A compiled rule's update of one slot on TensorFlow.js, for a path that does not compile (met mid-run,
 * when its trace failed the check against TensorFlow.js): the rule runs as on the tensor path and its
 * results go back into the compiled run's arrays, so the run goes on, slower, with nothing lost.
 * Returns ‖param' − param‖² (float32 differences, as the compiled loops sum them) and the number state.
 */
export function slotOnTensors(
  id: string, rule: OptimizerRule, hp: HpRecord, slot: Slot, values: SlotArrays, lr: number, t: number,
): { updateNormSq: number; numbers: Readonly<Record<string, number>> } {
  const shape = slot.shape as number[];
  let numbers: Record<string, number> = {};
  const outs = tf.tidy(() => {
    const state: RuleState = { ...values.numbers };
    values.stateKeys.forEach((key, j) => (state[key] = tf.tensor(values.state[j], values.stateShapes[j] as number[])));
    let out;
    try {
      out = rule.update(tf.tensor(values.grad, shape), state, tf.tensor(values.param, shape), hpFor(hp, lr), { step: t, name: slot.name });
    } catch (e) {
      throw new RuleFailure(id, 'update', slot.name, t, e);
    }
    numbers = Object.fromEntries(Object.entries(out.state).filter((entry): entry is [string, number] => typeof entry[1] === 'number'));
    return [out.param, ...values.stateKeys.map((key) => out.state[key] as tf.Tensor)];
  });
  const next = outs[0].dataSync();
  let updateNormSq = 0;
  for (let i = 0; i < next.length; i++) {
    const d = Math.fround(next[i] - values.param[i]);
    updateNormSq += d * d;
  }
  values.paramOut.set(next);
  values.state.forEach((s, j) => s.set(outs[1 + j].dataSync()));
  tf.dispose(outs);
  return { updateNormSq, numbers };
}
