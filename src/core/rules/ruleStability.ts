/**
 * A rule's edge of stability (OptimizerRule.stability) on both of its forms: the limit at an lr, and the
 * preconditioner P read from the tensor form's flat state or from the compiled form's kernel memory (the state
 * after the last update is on the input side of each program's double buffer). Read only when a curvature sample
 * asks, never per step.
 */
import * as tf from '@tensorflow/tfjs';
import type { HpRecord } from '../hyperparams';
import type { OptimizerStability } from '../optimizer';
import type { CompiledRuleState } from './compileRule';
import type { OptimizerRule, RuleContext, RuleState, RuleStability } from './optimizerRule';
import { hpFor, stateOf, type FlatRuleState, type Slot } from './ruleOnTensors';

/** One slot's state as the rule sees it, and its update count. */
type SlotState = { slot: Slot; state: RuleState; step: number };

/** P of every slot joined flat (undefined when any slot has none yet); builds tensors only inside one tidy. */
function joined(stability: RuleStability, hp: HpRecord, lr: number, slots: () => SlotState[], n: number): Float32Array | undefined {
  const preconditioner = stability.preconditioner as NonNullable<RuleStability['preconditioner']>;
  const pieces = tf.tidy(() => {
    const out: tf.Tensor[] = [];
    for (const { slot, state, step } of slots()) {
      const ctx: RuleContext = { step, name: slot.name };
      const p = preconditioner(state, hpFor(hp, lr), ctx);
      if (!p) return undefined;
      if (p.size !== slot.size) throw new Error(`optimizer rule's stability.preconditioner returned ${p.size} values for '${slot.name}' of ${slot.size}`);
      out.push(p.reshape([-1]));
    }
    return out.length === 1 ? out[0].clone() : tf.concat(out);
  });
  if (!pieces) return undefined;
  const values = new Float32Array(n);
  values.set(pieces.dataSync());
  pieces.dispose();
  return values;
}

/** The tensor form's stability: `slots()` are the rule's slots once init has run; the state is ruleOnTensors' flat record. */
export function stabilityOnTensors(rule: OptimizerRule, hp: HpRecord, slots: () => readonly Slot[]): OptimizerStability | undefined {
  const stability = rule.stability;
  if (!stability) return undefined;
  return {
    sharpnessLimit: (lr) => stability.sharpnessLimit(hpFor(hp, lr)),
    preconditioned: stability.preconditioner !== undefined,
    ...(stability.preconditioner
      ? {
          preconditioner: (state, lr) => {
            const all = slots();
            const n = all.reduce((a, s) => a + s.size, 0);
            const step = state.step as number;
            const of = () => all.map((slot, k) => ({ slot, state: stateOf(state as FlatRuleState, k), step }));
            return joined(stability, hp, lr, of, n);
          },
        }
      : {}),
  };
}

/** The compiled form's P, from each slot's kernel memory as tensors of the slot's state shapes. */
export function preconditionerOnArrays(rule: OptimizerRule, hp: HpRecord, state: CompiledRuleState, lr: number): Float32Array | undefined {
  const stability = rule.stability;
  if (!stability?.preconditioner) return undefined;
  const n = state.slots.reduce((a, run) => a + run.slot.size, 0);
  const of = () => state.slots.map((run) => {
    const own: RuleState = { ...run.numbers };
    run.spec.stateKeys.forEach((key, j) => (own[key] = tf.tensor(run.kernel.program.inputs[2 + j].slice(0, sizeOf(run.spec.stateShapes[j])), run.spec.stateShapes[j] as number[])));
    return { slot: run.slot, state: own, step: state.t };
  });
  return joined(stability, hp, lr, of, n);
}

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
