/**
 * One parameter tensor's update, traced and compiled: the rule runs once on
 * real tensors (traceProgram records its kernels), the scalars it computes
 * from lr and the step become inputs of the compiled program, and the
 * program is checked against TensorFlow.js's own result before it is used.
 *
 * The program's inputs are [param, grad, ...state tensors, ...scalars]; its
 * outputs [param', ...state tensors', param' − param] (the last for the
 * update's norm, summed inside the loop that stores it).
 */
import * as tf from '@tensorflow/tfjs';
import { relativeError } from '../compiled/agreement';
import { compileProgram, type ResidentProgram } from '../compiled/compileProgram';
import { NotCompilable, type Program, type ValueId } from '../compiled/program';
import { traceProgram } from '../compiled/traceProgram';
import type { HpRecord } from '../hyperparams';
import type { OptimizerRule, RuleState, RuleUpdate } from './optimizerRule';
import { PathChanged, inputId, record, replay, standIn, type Recording } from './ruleRecorder';
import { hpFor } from './ruleOnTensors';

/** Compiled and traced results agree to this (relative to the largest value): both are float32 elementwise. */
const TOL = 1e-6;

/** A parameter tensor and the tensor state its rule keeps for it. */
export interface SlotSpec {
  readonly name: string;
  readonly shape: readonly number[];
  /** Tensor state keys, in the program's input order, with their shapes. */
  readonly stateKeys: readonly string[];
  readonly stateShapes: readonly (readonly number[])[];
}

/** Current values of one slot: what a trace runs on. */
export interface SlotValues {
  readonly param: Float32Array;
  readonly grad: Float32Array;
  readonly state: readonly Float32Array[];
  readonly numbers: Readonly<Record<string, number>>;
}

export interface SlotKernel {
  readonly recording: Recording;
  /** [scalar index, program input index] of the scalars the program takes as inputs. */
  readonly scalarInputs: readonly (readonly [number, number])[];
  /** Scalars compiled in as literals: a replay that computes another value for one means the kernel is stale. */
  readonly fixed: readonly number[];
  /** Stand-in ids of what the update returns (param, then each state tensor): another id means another path. */
  readonly returned: readonly number[];
  readonly program: ResidentProgram;
  readonly squaredNorms: Float64Array;
  readonly wasmLoops: number;
}

/** The numbers and stand-in ids one replay of the update gives (no tensor work). */
export interface Replayed {
  readonly returned: number[];
  readonly numbers: Record<string, number>;
}

/** Runs the update on stand-ins against `recording`, writing this step's scalars into `scalarsOut`. */
export function replayUpdate(
  rule: OptimizerRule, hp: HpRecord, spec: SlotSpec, recording: Recording, scalarsOut: Float64Array,
  numbers: Readonly<Record<string, number>>, lr: number, t: number,
): Replayed {
  const inputs = standInInputs(spec);
  const [param, grad] = inputs;
  const state: RuleState = { ...numbers };
  spec.stateKeys.forEach((key, j) => (state[key] = inputs[2 + j]));
  const out = replay(recording, scalarsOut, inputs, () => rule.update(grad, state, param, hpFor(hp, lr), { step: t, name: spec.name }));
  return returnedOf(out, spec, (x) => x.id);
}

const standInsOf = new WeakMap<SlotSpec, tf.Tensor[]>();
/** The replay's param, grad and state stand-ins for a slot (made once). */
function standInInputs(spec: SlotSpec): tf.Tensor[] {
  let inputs = standInsOf.get(spec);
  if (!inputs) {
    inputs = [spec.shape, spec.shape, ...spec.stateShapes].map((shape, k) => standIn(shape, 'float32', inputId(k)));
    standInsOf.set(spec, inputs);
  }
  return inputs;
}

function returnedOf(out: RuleUpdate, spec: SlotSpec, idOf: (t: tf.Tensor) => number): Replayed {
  const numbers: Record<string, number> = {};
  for (const [key, value] of Object.entries(out.state)) if (typeof value === 'number') numbers[key] = value;
  const tensors = [out.param, ...spec.stateKeys.map((key) => out.state[key])];
  if (!tensors.every((x): x is tf.Tensor => x instanceof tf.Tensor)) throw new PathChanged('the update returned a number where it had returned a tensor');
  return { returned: tensors.map(idOf), numbers };
}

/** Scalars whose value changes with lr or the step (found by replaying at other lr and steps). */
function varyingScalars(rule: OptimizerRule, hp: HpRecord, spec: SlotSpec, recording: Recording, numbers: Readonly<Record<string, number>>, lr: number, t: number): Set<number> {
  const varying = new Set<number>();
  const probe = new Float64Array(recording.scalars.length);
  for (const [l, s] of [[lr * 1.7 + 1e-3, t], [lr, t + 1], [lr * 0.3, t + 4], [lr, t + 13]]) {
    try {
      replayUpdate(rule, hp, spec, recording, probe, numbers, l, s);
    } catch {
      // Another path at that lr or step (or the rule throws there): met, and handled, when the run gets there.
      continue;
    }
    probe.forEach((v, i) => !Object.is(v, recording.scalars[i]) && varying.add(i));
  }
  return varying;
}

/** The program with the given constants turned into rank-0 inputs, appended after the others. */
function withScalarInputs(program: Program, scalars: readonly ValueId[]): Program {
  const values = new Map(program.values);
  scalars.forEach((id, k) => {
    const info = values.get(id);
    if (info) values.set(id, { ...info, source: { kind: 'input', index: program.inputs.length + k } });
  });
  return { ...program, values, inputs: [...program.inputs, ...scalars] };
}

/** Traces the rule's update of one slot at `at` and compiles it; throws NotCompilable (or PathChanged) when it cannot. */
export function traceSlotKernel(
  rule: OptimizerRule, hp: HpRecord, spec: SlotSpec, at: SlotValues, lr: number, t: number, allScalarsAsInputs: boolean,
): SlotKernel {
  const shape = spec.shape as number[];
  const inputs = [tf.tensor(at.param, shape), tf.tensor(at.grad, shape), ...spec.stateShapes.map((s, j) => tf.tensor(at.state[j], s as number[]))];
  let recording: Recording | undefined;
  let returned: number[] = [];
  try {
    const { program, results } = traceProgram((param, grad, ...stateTensors) => {
      const state: RuleState = { ...at.numbers };
      spec.stateKeys.forEach((key, j) => (state[key] = stateTensors[j]));
      const recorded = record(() => rule.update(grad, state, param, hpFor(hp, lr), { step: t, name: spec.name }));
      recording = recorded.recording;
      const ids = new Map(recording.standInIds);
      [param, grad, ...stateTensors].forEach((x, k) => ids.set(x.id, inputId(k)));
      ({ returned } = returnedOf(recorded.result, spec, (x) => ids.get(x.id) ?? 0));
      const next = recorded.result.param;
      const nextState = spec.stateKeys.map((key) => recorded.result.state[key] as tf.Tensor);
      if (!tf.util.arraysEqual(next.shape, shape)) throw new NotCompilable(`update returned param of shape [${next.shape}], expected [${shape}]`);
      return [next, ...nextState, tf.sub(next, param)];
    }, inputs);
    const rec = recording as Recording;
    const varying = allScalarsAsInputs ? new Set(rec.scalars.keys()) : varyingScalars(rule, hp, spec, rec, at.numbers, lr, t);
    const scalarIds: ValueId[] = [];
    const scalarInputs: [number, number][] = [];
    rec.scalarTensors.forEach((x, i) => {
      if (!varying.has(i) || program.values.get(x.id)?.source.kind !== 'constant' || scalarIds.includes(x.id)) return;
      scalarInputs.push([i, inputs.length + scalarIds.length]);
      scalarIds.push(x.id);
    });
    const fixed = [...rec.scalars.keys()].filter((i) => !scalarInputs.some(([s]) => s === i));
    const outputs = program.outputs.length;
    const compiled = compileProgram(withScalarInputs(program, scalarIds), { squaredNormOf: [outputs - 1] });
    const resident = compiled.resident([[0, 0], ...spec.stateKeys.map((_, j) => [2 + j, 1 + j] as const)]);
    [at.param, at.grad, ...at.state].forEach((values, k) => resident.inputs[k].set(values));
    for (const [s, input] of scalarInputs) resident.inputs[input][0] = rec.scalars[s];
    resident.run();
    results.forEach((expected, k) => {
      const error = relativeError(outputAfterRun(resident, k, spec.stateKeys.length), expected);
      if (!(error <= TOL)) throw new NotCompilable(`the compiled update disagrees with TensorFlow.js (output ${k}: ${error.toExponential(1)} relative)`);
    });
    return { recording: rec, scalarInputs, fixed, returned, program: resident, squaredNorms: compiled.squaredNorms, wasmLoops: compiled.wasmLoops };
  } finally {
    for (const x of inputs) x.dispose();
  }
}

/** Output k of the run that just finished: param' and the state are paired, so they are now on the input side. */
export function outputAfterRun(resident: ResidentProgram, k: number, stateCount: number): Float32Array {
  if (k === 0) return resident.inputs[0];
  return k <= stateCount ? resident.inputs[1 + k] : resident.outputs[k];
}
