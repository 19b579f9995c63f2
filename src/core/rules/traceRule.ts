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
import { compileProgram, type CompiledProgram, type ResidentProgram } from '../compiled/compileProgram';
import { NotCompilable, type Program, type ValueId } from '../compiled/program';
import { traceProgram } from '../compiled/traceProgram';
import type { HpRecord } from '../hyperparams';
import type { OptimizerRule, RuleHyperparams, RuleState, RuleUpdate } from './optimizerRule';
import { PathChanged, replayOps } from './opReplay';
import { guardEngine, inputId, record, replay, standIn, type Recording } from './ruleRecorder';
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
  /** The two small lengths a long vector's update was traced and checked at (./traceRuleAtSmallLength.ts); absent when at its own. */
  readonly checkedAtLengths?: readonly [number, number];
}

const NO_NUMBERS: Readonly<Record<string, number>> = Object.freeze({});
const TensorClass = tf.Tensor;

/** What a replay read of what changes between steps (bit flags). */
const READ_LR = 1;
const READ_STEP = 2;

/** The replayer whose rule is running (its hp and ctx are the ones read); the owners map answers for any other. */
let replaying: SlotReplayer | undefined;
const owners = new WeakMap<object, SlotReplayer>();
const ownerOf = (x: object): SlotReplayer => (replaying !== undefined && (replaying.hpNow === x || replaying.ctx === x) ? replaying : ownerInChain(x));
/** The replayer of hp or ctx, or of the one `x` inherits from (Object.create(hp) reads lr through the getter too). */
function ownerInChain(x: object): SlotReplayer {
  for (let o: object | null = x; o !== null; o = Object.getPrototypeOf(o) as object | null) {
    const owner = owners.get(o);
    if (owner) return owner;
  }
  throw new Error('hp.lr or ctx.step read on an object that is not a replay\'s hp or ctx');
}
/** The running replayer's update: one function for every replayer, so the replay's call of it never sees another target. */
const replayBody = (): RuleUpdate => (replaying as SlotReplayer).update();
function readLr(this: object): number {
  const owner = ownerOf(this);
  owner.reads |= READ_LR;
  return owner.lr;
}
function readStep(this: object): number {
  const owner = ownerOf(this);
  owner.reads |= READ_STEP;
  return owner.step;
}

/**
 * Replays one slot's update on stand-ins (no tensor work): the objects the rule receives are made
 * once and refilled every step, so a replay allocates next to nothing.
 *
 * A replay notes whether the rule read `hp.lr` and `ctx.step`. The update is a function of its
 * arguments (the contract), so when the last replay read neither (or only an lr that has not
 * changed) and the plain-number state came out as it went in, this step's replay would compute
 * the same scalars, state and path: it is skipped (an SGD, RMSProp or Lion at a constant lr).
 */
export class SlotReplayer {
  readonly hpNow: RuleHyperparams;
  readonly ctx: { readonly step: number; readonly name: string };
  private state: RuleState = {};
  private template: RuleState | undefined;
  private templateNumbers: Readonly<Record<string, number>> | undefined;
  private readonly inputs: tf.Tensor[];
  /** Read by the shared getters (readLr, readStep) while this replayer's rule runs. */
  lr = 0;
  step = 0;
  reads = 0;
  /** The last completed replay's inputs, for skipping the next one (fields, not a record: no allocation per step). */
  private lastValid = false;
  private lastRecording: Recording | undefined;
  private lastScalarsOut: Float64Array | undefined;
  private lastReturned: readonly number[] | undefined;
  private lastLr = 0;
  private lastReads = 0;
  private lastNumbers: Readonly<Record<string, number>> = NO_NUMBERS;

  private readonly rule: OptimizerRule;

  constructor(rule: OptimizerRule, hp: HpRecord, private readonly spec: SlotSpec) {
    // lr and step as getters that note the read (what a skipped replay must not have depended on). The getter
    // first, then the data: redefining a data property as an accessor would make the object a dictionary. The
    // getters are shared by every replayer, so every run's hp and ctx have the same maps (a closure per replayer
    // gave each run new ones: the rule's `hp.x` went megamorphic and its optimized code deoptimized every run).
    this.hpNow = Object.defineProperty({} as RuleHyperparams, 'lr', { enumerable: true, get: readLr });
    for (const [key, value] of Object.entries(hpFor(hp, 0))) if (key !== 'lr') this.hpNow[key] = value;
    this.ctx = Object.defineProperty({ name: spec.name } as { step: number; name: string }, 'step', { enumerable: true, get: readStep });
    owners.set(this.hpNow, this);
    owners.set(this.ctx, this);
    this.inputs = [spec.shape, spec.shape, ...spec.stateShapes].map((shape, k) => standIn(shape, 'float32', inputId(k)));
    this.rule = rule;
  }

  /** The rule's update on this replayer's stand-ins and records (what a replay runs). */
  update(): RuleUpdate {
    return this.rule.update(this.inputs[1], this.state, this.inputs[0], this.hpNow, this.ctx);
  }

  /** Whether the last replay read ctx.step (its next step's scalars may differ at the same lr). */
  get readsStep(): boolean {
    return (this.reads & READ_STEP) !== 0;
  }

  /**
   * Step t at lr: this step's scalars go to `scalarsOut`; returns the plain-number state after it.
   * With `returned`, the update must return those stand-ins (param, then each state tensor), else PathChanged.
   */
  run(recording: Recording, scalarsOut: Float64Array, numbers: Readonly<Record<string, number>>, lr: number, t: number, returned?: readonly number[]): Readonly<Record<string, number>> {
    if (this.lastValid && this.lastRecording === recording && this.lastScalarsOut === scalarsOut && this.lastReturned === returned &&
      (this.lastReads & READ_STEP) === 0 && ((this.lastReads & READ_LR) === 0 || Object.is(this.lastLr, lr)) && this.lastNumbers === numbers) {
      return numbers;
    }
    this.lastValid = false;
    const { spec, inputs } = this;
    // A fresh record each step (the rule may have written to the last one), cloned from a template of the
    // same numbers: a spread of a same-shaped object is one fast copy, keyed stores onto {} are not.
    if (this.template === undefined || this.templateNumbers !== numbers) {
      const template: RuleState = {};
      if (numbers !== NO_NUMBERS) for (const key in numbers) template[key] = numbers[key];
      for (let j = 0; j < spec.stateKeys.length; j++) template[spec.stateKeys[j]] = inputs[2 + j];
      this.template = template;
      this.templateNumbers = numbers;
    }
    this.state = { ...this.template };
    this.lr = lr;
    this.step = t;
    this.reads = 0;
    const outer = replaying;
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the shared getters read the running replayer.
    replaying = this;
    let out: RuleUpdate;
    try {
      out = recording.ops ? replayOps(recording.ops, scalarsOut, guardEngine, replayBody) : replay(recording, scalarsOut, inputs, replayBody);
    } finally {
      replaying = outer;
    }
    if (returned) {
      if (!isStandIn(out.param, returned[0])) throw new PathChanged('the update returned another tensor as param');
      for (let j = 0; j < spec.stateKeys.length; j++) {
        if (!isStandIn(out.state[spec.stateKeys[j]], returned[1 + j])) throw new PathChanged(`the update returned another tensor as state.${spec.stateKeys[j]}`);
      }
    }
    const after = numbersOf(out.state, numbers);
    // Skippable next time only when the plain-number state is a fixed point (the same object goes in again).
    if (after === numbers) {
      this.lastValid = true;
      this.lastRecording = recording;
      this.lastScalarsOut = scalarsOut;
      this.lastReturned = returned;
      this.lastLr = lr;
      this.lastReads = this.reads;
      this.lastNumbers = numbers;
    }
    return after;
  }
}

/**
 * Whether `x` is the stand-in with id `id` (what a replay returns are stand-ins, whose ids are negative and
 * never a real tensor's; an id check, as `instanceof tf.Tensor` runs tfjs's Symbol.hasInstance probes).
 */
const isStandIn = (x: unknown, id: number): boolean =>
  typeof x === 'object' && x !== null && (x as { id?: unknown }).id === id && (id < 0 || x instanceof TensorClass);

/** The plain-number state in `state`: `before` itself when every number is unchanged (and none was added or dropped). */
function numbersOf(state: RuleState, before: Readonly<Record<string, number>>): Readonly<Record<string, number>> {
  let after: Record<string, number> | undefined;
  let count = 0;
  let same = true;
  for (const key in state) {
    const value = state[key];
    if (typeof value !== 'number') continue;
    (after ??= {})[key] = value;
    count++;
    if (!Object.is(before[key], value)) same = false;
  }
  if (!after) return NO_NUMBERS;
  return same && count === Object.keys(before).length ? before : after;
}

/** Ids of what the update returned (param, then each state tensor), read through `idOf`. */
function returnedOf(out: RuleUpdate, spec: SlotSpec, idOf: (t: tf.Tensor) => number): number[] {
  const tensors = [out.param, ...spec.stateKeys.map((key) => out.state[key])];
  if (!tensors.every((x): x is tf.Tensor => x instanceof tf.Tensor)) throw new NotCompilable('the update returned a number where init made a tensor');
  return tensors.map(idOf);
}

/** Scalars whose value changes with lr or the step (found by replaying at other lr and steps). */
function varyingScalars(replayer: SlotReplayer, recording: Recording, numbers: Readonly<Record<string, number>>, lr: number, t: number): Set<number> {
  const varying = new Set<number>();
  const probe = new Float64Array(recording.scalars.length);
  for (const [l, s] of [[lr * 1.7 + 1e-3, t], [lr, t + 1], [lr * 0.3, t + 4], [lr, t + 13]]) {
    try {
      replayer.run(recording, probe, numbers, l, s);
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

/** One slot's update as traced (before compiling): the program with the varying scalars as inputs, what TensorFlow.js computed, the recording. */
export interface TracedSlot {
  readonly program: Program;
  readonly results: readonly Float32Array[];
  readonly recording: Recording;
  readonly scalarInputs: readonly (readonly [number, number])[];
  readonly fixed: readonly number[];
  readonly returned: readonly number[];
}

/** Traces the rule's update of one slot at `at`; throws NotCompilable (or PathChanged) when it cannot be compiled. */
export function traceSlot(
  rule: OptimizerRule, hp: HpRecord, spec: SlotSpec, replayer: SlotReplayer, at: SlotValues, lr: number, t: number, allScalarsAsInputs: boolean,
): TracedSlot {
  const shape = spec.shape as number[];
  const inputs = [tf.tensor(at.param, shape), tf.tensor(at.grad, shape), ...spec.stateShapes.map((s, j) => tf.tensor(at.state[j], s as number[]))];
  let recording: Recording | undefined;
  let returned: number[] = [];
  try {
    const { program, results } = traceProgram((param, grad, ...stateTensors) => {
      const state: RuleState = { ...at.numbers };
      spec.stateKeys.forEach((key, j) => (state[key] = stateTensors[j]));
      const inputIds = new Map([param, grad, ...stateTensors].map((x, k) => [x.id, inputId(k)]));
      const recorded = record(() => rule.update(grad, state, param, hpFor(hp, lr), { step: t, name: spec.name }), inputIds);
      recording = recorded.recording;
      // The ids a replay will return: the op-level replay's when the rule can be followed at that level.
      const ids = recording.ops?.standInIds ?? recording.standInIds;
      returned = returnedOf(recorded.result, spec, (x) => ids.get(x.id) ?? x.id);
      const next = recorded.result.param;
      const nextState = spec.stateKeys.map((key) => recorded.result.state[key] as tf.Tensor);
      if (!tf.util.arraysEqual(next.shape, shape)) throw new NotCompilable(`update returned param of shape [${next.shape}], expected [${shape}]`);
      return [next, ...nextState, tf.sub(next, param)];
    }, inputs);
    const rec = recording as Recording;
    const varying = allScalarsAsInputs ? new Set(rec.scalars.keys()) : varyingScalars(replayer, rec, at.numbers, lr, t);
    const scalarIds: ValueId[] = [];
    const scalarInputs: [number, number][] = [];
    rec.scalarTensors.forEach((x, i) => {
      if (!varying.has(i) || program.values.get(x.id)?.source.kind !== 'constant' || scalarIds.includes(x.id)) return;
      scalarInputs.push([i, inputs.length + scalarIds.length]);
      scalarIds.push(x.id);
    });
    const fixed = [...rec.scalars.keys()].filter((i) => !scalarInputs.some(([s]) => s === i));
    return { program: withScalarInputs(program, scalarIds), results, recording: rec, scalarInputs, fixed, returned };
  } finally {
    for (const x of inputs) x.dispose();
  }
}

/** The compiled update as a resident program, run once at `at` (inputs after the traced ones: `extra`) and checked against the trace's results. */
export function checkedSlotProgram(traced: TracedSlot, compiled: CompiledProgram, spec: SlotSpec, at: SlotValues, extra: readonly Float32Array[] = []): ResidentProgram {
  const resident = compiled.resident([[0, 0], ...spec.stateKeys.map((_, j) => [2 + j, 1 + j] as const)]);
  const first = resident.inputs.length - extra.length;
  extra.forEach((values, k) => resident.inputs[first + k].set(values));
  [at.param, at.grad, ...at.state].forEach((values, k) => resident.inputs[k].set(values));
  for (const [s, input] of traced.scalarInputs) resident.inputs[input][0] = traced.recording.scalars[s];
  resident.run();
  traced.results.forEach((expected, k) => {
    const error = relativeError(outputAfterRun(resident, k, spec.stateKeys.length), expected);
    if (!(error <= TOL)) throw new NotCompilable(`the compiled update disagrees with TensorFlow.js (output ${k}: ${error.toExponential(1)} relative)`);
  });
  return resident;
}

/** Traces the rule's update of one slot at `at` and compiles it; throws NotCompilable (or PathChanged) when it cannot. */
export function traceSlotKernel(
  rule: OptimizerRule, hp: HpRecord, spec: SlotSpec, replayer: SlotReplayer, at: SlotValues, lr: number, t: number, allScalarsAsInputs: boolean,
): SlotKernel {
  const traced = traceSlot(rule, hp, spec, replayer, at, lr, t, allScalarsAsInputs);
  const compiled = compileProgram(traced.program, { squaredNormOf: [traced.program.outputs.length - 1] });
  const program = checkedSlotProgram(traced, compiled, spec, at);
  const { recording, scalarInputs, fixed, returned } = traced;
  return { recording, scalarInputs, fixed, returned, program, squaredNorms: compiled.squaredNorms, wasmLoops: compiled.wasmLoops };
}

/** Output k of the run that just finished: param' and the state are paired, so they are now on the input side. */
export function outputAfterRun(resident: ResidentProgram, k: number, stateCount: number): Float32Array {
  if (k === 0) return resident.inputs[0];
  return k <= stateCount ? resident.inputs[1 + k] : resident.outputs[k];
}
