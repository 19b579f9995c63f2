/**
 * A long parameter vector's update traced and checked at a small length: the rule's update is traced
 * at two small lengths (compiled/sizeGeneric.ts), each compiled and checked against TensorFlow.js, and
 * when the two are one program of the length, that program is compiled at full length, its code the
 * code checked with the length substituted. At n = 1e7 tracing on TensorFlow.js and checking at full
 * length took seconds and most of a run's memory (the wasm backend's heap keeps every intermediate).
 * Anything else (a rank above 1, an update whose ops or scalars depend on the length) returns a
 * reason, and the caller traces at full length as before.
 */
import type { HpRecord } from '../hyperparams';
import { compileWithText, lengthInputValues, SMALL_TRACE_MIN, sizeGeneric, smallSizesFor, substituteLength } from '../compiled/sizeGeneric';
import type { OptimizerRule } from './optimizerRule';
import { standIn, type OpRecording } from './opReplay';
import type { KernelCall, Recording } from './ruleRecorder';
import { checkedSlotProgram, SlotReplayer, traceSlot, type SlotKernel, type SlotSpec, type SlotValues, type TracedSlot } from './traceRule';
import type * as tf from '@tensorflow/tfjs';

/**
 * The slot at length n: shapes and values cut to their first n entries (`at.grad`, and the state tensors of
 * the vector's length, may hold only the first entries); a state tensor of another size is kept whole.
 */
function slotAt(spec: SlotSpec, at: SlotValues, n: number): { spec: SlotSpec; at: SlotValues } {
  const full = spec.shape[0];
  const ofLength = spec.stateShapes.map((s) => s.length === 1 && s[0] === full);
  return {
    spec: { ...spec, shape: [n], stateShapes: spec.stateShapes.map((s) => substituteLength(s, full, n)) },
    at: { param: at.param.slice(0, n), grad: at.grad.slice(0, n), state: at.state.map((values, j) => (ofLength[j] ? values.slice(0, n) : values)), numbers: at.numbers },
  };
}

/** Why two traces of the update's JS (at two lengths) are not the same path; undefined when they are. */
function pathMismatch(a: TracedSlot, b: TracedSlot): string | undefined {
  const same = <T>(x: readonly T[], y: readonly T[]) => JSON.stringify(x) === JSON.stringify(y);
  if (!same([...a.recording.scalars], [...b.recording.scalars])) return 'its scalars depend on the length';
  if (!same(a.recording.calls.map((c) => [c.kernel, c.attrs]), b.recording.calls.map((c) => [c.kernel, c.attrs]))) return 'its kernels or their attributes depend on the length';
  const events = (r: Recording) => r.ops?.events.map((e) => [e.name, e.args]) ?? null;
  if (JSON.stringify(events(a.recording)) !== JSON.stringify(events(b.recording))) return 'its ops or their arguments depend on the length';
  if (!same(a.scalarInputs, b.scalarInputs) || !same(a.fixed, b.fixed) || !same(a.returned, b.returned)) return 'its scalars depend on the length';
  return undefined;
}

/** The recording with every shape of length `from` at `to`: a replay at full length answers with stand-ins of full shapes. */
function resizeRecording(rec: Recording, from: number, to: number): Recording {
  const resized = (t: tf.Tensor) => standIn(substituteLength(t.shape, from, to), t.dtype, t.id);
  const calls: KernelCall[] = rec.calls.map((c) => ({ ...c, outputs: c.outputs.map((o) => ({ ...o, shape: substituteLength(o.shape, from, to) })) }));
  const standIns = rec.standIns.map((s) => (Array.isArray(s) ? s.map(resized) : resized(s)));
  let ops: OpRecording | undefined;
  if (rec.ops) {
    const events = rec.ops.events.map((e) => ({ ...e, result: Array.isArray(e.result) ? e.result.map(resized) : resized(e.result) }));
    ops = { ...rec.ops, events };
  }
  return { ...rec, calls, standIns, ...(ops ? { ops } : {}) };
}

/** The two lengths a long rank-1 slot is traced at; undefined for a slot traced at its own length. */
export function smallLengthsOf(shape: readonly number[]): readonly [number, number] | undefined {
  return shape.length === 1 && shape[0] >= SMALL_TRACE_MIN ? smallSizesFor(shape[0]) : undefined;
}

/**
 * The update of a long rank-1 slot, traced and checked at two small lengths and compiled at full length;
 * a reason when it cannot be (the caller traces at full length). `at.grad` and the state tensors of the
 * vector's length need only the first smallLengthsOf(spec)[1] entries. Throws NotCompilable when the compiled update disagrees with
 * TensorFlow.js at a small length (as at full length).
 */
export function traceSlotKernelAtSmallLength(
  rule: OptimizerRule, hp: HpRecord, spec: SlotSpec, at: SlotValues, lr: number, t: number, allScalarsAsInputs: boolean,
): SlotKernel | { reason: string } {
  const full = spec.shape[0];
  const lengths = smallLengthsOf(spec.shape);
  if (!lengths) return { reason: 'not a long vector' };
  if (spec.stateShapes.some((s) => s.includes(full) && s.length !== 1)) return { reason: 'a state tensor of another rank holds the length' };
  const small = lengths.map((n) => slotAt(spec, at, n));
  let traced: TracedSlot[];
  try {
    traced = small.map((s) => traceSlot(rule, hp, s.spec, new SlotReplayer(rule, hp, s.spec), s.at, lr, t, allScalarsAsInputs));
  } catch (e) {
    return { reason: `it does not trace at ${lengths[0]} parameters (${(e as Error).message})` };
  }
  const path = pathMismatch(traced[0], traced[1]);
  if (path) return { reason: path };
  const generic = sizeGeneric(traced[0].program, lengths[0], traced[1].program, lengths[1]);
  if ('reason' in generic) return { reason: `its computation changes with the length (${generic.reason})` };
  const norms = { squaredNormOf: [traced[0].program.outputs.length - 1] };
  const checkedText = lengths.map((n, k) => {
    const { compiled, text } = compileWithText(generic.at(n), norms);
    checkedSlotProgram(traced[k], compiled, small[k].spec, small[k].at, lengthInputValues(generic, n));
    return text(n);
  })[1];
  const { compiled, text } = compileWithText(generic.at(full), norms);
  if (text(full) !== checkedText) return { reason: 'its code at full length is not the code checked at a small length' };
  const program = compiled.resident([[0, 0], ...spec.stateKeys.map((_, j) => [2 + j, 1 + j] as const)]);
  const extra = lengthInputValues(generic, full);
  extra.forEach((values, k) => program.inputs[program.inputs.length - extra.length + k].set(values));
  const { scalarInputs, fixed, returned } = traced[0];
  return { recording: resizeRecording(traced[0].recording, lengths[0], full), scalarInputs, fixed, returned, program, squaredNorms: compiled.squaredNorms, wasmLoops: compiled.wasmLoops, checkedAtLengths: lengths };
}
