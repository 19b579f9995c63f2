/**
 * A rule's fast form, derived from the rule itself: each parameter tensor's
 * update is traced once and compiled to fused JS/WebAssembly loops
 * (./traceRule.ts) whose state stays in the program's own memory, double
 * buffered, so a step copies nothing but the scalars. Every step the rule's
 * JS runs again on stand-ins (./ruleRecorder.ts) to compute that step's
 * scalars (lr, bias corrections, decays) and plain-number state; when it
 * takes another path (a branch on ctx.step) that path is traced and compiled
 * in turn, unless this run or an earlier one (pooled) already compiled it.
 */
import * as tf from '@tensorflow/tfjs';
import type { ArrayOptimizer, ArrayStepInput, ArrayStepResult } from '../arrays/contracts';
import { NotCompilable, sizeOf } from '../compiled/program';
import type { HpRecord } from '../hyperparams';
import type { ParamShapes } from '../optimizer';
import type { OptimizerRule } from './optimizerRule';
import { RuleFailure } from './ruleFailure';
import { slotOnTensors } from './slotOnTensors';
import { slotsOf, type Slot } from './ruleOnTensors';
import { kernelKey, returnKernel, takeKernel } from './kernelPool';
import { PathChanged } from './ruleRecorder';
import { preconditionerOnArrays } from './ruleStability';
import { SlotReplayer, outputAfterRun, traceSlotKernel, type SlotKernel, type SlotSpec, type SlotValues } from './traceRule';
import { smallLengthsOf, traceSlotKernelAtSmallLength } from './traceRuleAtSmallLength';
import { initialStates, trialParams, type SlotState } from './slotInitialState';

const NO_SCALARS = new Float64Array(0);
const NO_INDICES = new Int32Array(0);

/** Paths one slot may compile before the rule is called too changeable to compile (a path per step would be slower than tensors). */
const MAX_PATHS = 8;

interface SlotRun {
  readonly slot: Slot;
  readonly spec: SlotSpec;
  /** What the kernel was compiled from (kernelPool.ts). */
  readonly key: string;
  readonly replayer: SlotReplayer;
  kernel: SlotKernel;
  /** Every kernel this run has used, the first (whose memory holds the loop's workspace) first. */
  readonly kernels: SlotKernel[];
  numbers: Readonly<Record<string, number>>;
  /** This step's scalars, written by the replay. */
  scalars: Float64Array;
  /** The kernel's fixed scalars, and its scalar inputs as (scalar, program input) pairs, as flat indices for the per-step loops (useKernel). */
  fixed: Int32Array;
  scalarFrom: Int32Array;
  scalarTo: Int32Array;
  paths: number;
  /** Views of the loop's arrays for this slot (multi-tensor objectives), by the array they view. */
  readonly views: WeakMap<Float32Array, Float32Array>;
  /** The state tensor (index in spec.stateKeys) the rule's evaluationPoint returns; -1 without one. */
  point: number;
  /** Why the slot updates on TensorFlow.js from now on: a path it took mid-run did not compile (slotOnTensors.ts). */
  onTensors?: string;
}

export interface CompiledRuleState {
  /** Updates done (torch's state['step']). */
  t: number;
  readonly slots: SlotRun[];
}

/** A deterministic, non-trivial gradient to trace and check with (values of both signs, no zeros). */
function probeGradient(size: number): Float32Array {
  // A plain loop: Float32Array.from({ length }, fn) took 2-3 s for 10 million entries.
  const g = new Float32Array(size);
  for (let i = 0; i < size; i++) g[i] = ((((i * 7919) % 13) - 6.5) / 6.5) * (1 + (i % 3));
  return g;
}

/**
 * A slot's first kernel: a long vector's traced and checked at a small length when its update is the same
 * program at every length (./traceRuleAtSmallLength.ts), otherwise at its own length on `at` and the probe gradient.
 */
function firstKernel(rule: OptimizerRule, hp: HpRecord, spec: SlotSpec, replayer: SlotReplayer, at: Omit<SlotValues, 'grad' | 'state'>, state: SlotState, size: number): SlotKernel {
  const lengths = smallLengthsOf(spec.shape);
  if (lengths) {
    const small = traceSlotKernelAtSmallLength(rule, hp, spec, { ...at, state: state.sample, grad: probeGradient(lengths[1]) }, rule.defaults.lr, 1, false);
    if (!('reason' in small)) return small;
  }
  return traceSlotKernel(rule, hp, spec, replayer, { ...at, state: state.full(), grad: probeGradient(size) }, rule.defaults.lr, 1, false);
}

const sameLayout = (a: SlotSpec, b: SlotSpec): boolean =>
  a.stateKeys.length === b.stateKeys.length && a.stateKeys.every((key, j) => key === b.stateKeys[j] && tf.util.arraysEqual(a.stateShapes[j] as number[], b.stateShapes[j] as number[]));

/** Whether `kernel` is compiled for the path the rule takes at (lr, t) from `numbers`: its replay and compiled-in scalars fit. */
function fits(replayer: SlotReplayer, kernel: SlotKernel, numbers: Readonly<Record<string, number>>, lr: number, t: number): boolean {
  const scalars = new Float64Array(kernel.recording.scalars.length);
  try {
    replayer.run(kernel.recording, scalars, numbers, lr, t, kernel.returned);
  } catch (e) {
    if (e instanceof PathChanged) return false;
    throw e;
  }
  return kernel.fixed.every((i) => Object.is(scalars[i], kernel.recording.scalars[i]));
}

/**
 * Switches the slot to a kernel already compiled for this step's path, this run's or a pooled one,
 * carrying the state over; false when there is none. Never back to the first kernel: its memory
 * holds the loop's parameter double buffer, whose halves it would then read out of turn.
 */
function adoptKnown(run: SlotRun, lr: number, t: number): boolean {
  const fitsNow = (k: SlotKernel) => k !== run.kernel && k !== run.kernels[0] && fits(run.replayer, k, run.numbers, lr, t);
  const known = run.kernels.find(fitsNow) ?? takeKernel(run.key, fitsNow);
  if (!known) return false;
  const from = run.kernel.program;
  run.spec.stateKeys.forEach((_, j) => known.program.inputs[2 + j].set(from.inputs[2 + j]));
  useKernel(run, known);
  if (!run.kernels.includes(known)) run.kernels.push(known);
  return true;
}

/** Switches the slot to `kernel`, with the index lists updateSlot reads every step. */
function useKernel(run: Omit<SlotRun, 'kernel'> & { kernel?: SlotKernel }, kernel: SlotKernel, scalars = new Float64Array(kernel.recording.scalars.length)): void {
  run.kernel = kernel;
  run.scalars = scalars;
  run.fixed = Int32Array.from(kernel.fixed);
  run.scalarFrom = Int32Array.from(kernel.scalarInputs, ([s]) => s);
  run.scalarTo = Int32Array.from(kernel.scalarInputs, ([, k]) => k);
}

/** A view of `whole` for the slot (the array itself for a single tensor), cached per array. */
function viewOf(run: SlotRun, whole: Float32Array): Float32Array {
  if (run.slot.offset === 0 && run.slot.size === whole.length) return whole;
  let view = run.views.get(whole);
  if (!view) run.views.set(whole, (view = whole.subarray(run.slot.offset, run.slot.offset + run.slot.size)));
  return view;
}

/** The rule a slot's kernels are compiled from. */
interface Compiling {
  readonly id: string;
  readonly rule: OptimizerRule;
  readonly hp: HpRecord;
}

/**
 * A long vector's new path traced and checked at a small length (./traceRuleAtSmallLength.ts), then this step's
 * update run at full length with the replay's scalars; undefined when it cannot be (the caller traces at full length).
 */
function retraceAtSmallLength({ rule, hp }: Compiling, run: SlotRun, at: SlotValues, input: ArrayStepInput, t: number, allScalarsAsInputs: boolean): number | undefined {
  if (!smallLengthsOf(run.spec.shape)) return undefined;
  const kernel = traceSlotKernelAtSmallLength(rule, hp, run.spec, at, input.lr, t, allScalarsAsInputs);
  if ('reason' in kernel) return undefined;
  const scalars = new Float64Array(kernel.recording.scalars.length);
  let numbers: Readonly<Record<string, number>>;
  try {
    numbers = run.replayer.run(kernel.recording, scalars, run.numbers, input.lr, t, kernel.returned);
  } catch (e) {
    if (e instanceof PathChanged) return undefined;
    throw e;
  }
  const program = kernel.program;
  [at.param, at.grad, ...at.state].forEach((values, k) => program.inputs[k].set(values));
  for (const [s, k] of kernel.scalarInputs) program.inputs[k][0] = scalars[s];
  program.run();
  useKernel(run, kernel, scalars);
  run.kernels.push(kernel);
  run.numbers = numbers;
  viewOf(run, input.paramsOut).set(outputAfterRun(program, 0, run.spec.stateKeys.length));
  return kernel.squaredNorms[0];
}

/** Traces the path the rule took at this step and runs it (the trace's check is this step's update). */
function retrace({ id, rule, hp }: Compiling, run: SlotRun, input: ArrayStepInput, t: number, allScalarsAsInputs: boolean): number {
  if (++run.paths > MAX_PATHS) {
    throw new RuleFailure(id, 'update', run.slot.name, t, new Error(`the update took ${MAX_PATHS} different paths; it cannot run compiled (turn compiling off for this run)`));
  }
  const old = run.kernel.program;
  const state = run.spec.stateKeys.map((_, j) => Float32Array.from(old.inputs[2 + j]));
  const at = { param: Float32Array.from(viewOf(run, input.params)), grad: viewOf(run, input.grad), state, numbers: run.numbers };
  try {
    const small = retraceAtSmallLength({ id, rule, hp }, run, at, input, t, allScalarsAsInputs);
    if (small !== undefined) return small;
    useKernel(run, traceSlotKernel(rule, hp, run.spec, run.replayer, at, input.lr, t, allScalarsAsInputs));
  } catch (e) {
    if (e instanceof RuleFailure) throw e;
    // This path does not compile: the slot goes on on TensorFlow.js from here, its state where it is.
    run.onTensors = `step ${t} took a path that does not compile (${(e as Error).message})`;
    return updateOnTensors({ id, rule, hp }, run, input, t);
  }
  run.kernels.push(run.kernel);
  run.numbers = run.replayer.run(run.kernel.recording, run.scalars, run.numbers, input.lr, t);
  viewOf(run, input.paramsOut).set(outputAfterRun(run.kernel.program, 0, run.spec.stateKeys.length));
  return run.kernel.squaredNorms[0];
}

/** The slot's update on TensorFlow.js, its state read from and written back to the current kernel's memory. */
function updateOnTensors({ id, rule, hp }: Compiling, run: SlotRun, input: ArrayStepInput, t: number): number {
  const program = run.kernel.program;
  const { updateNormSq, numbers } = slotOnTensors(id, rule, hp, run.slot, {
    param: viewOf(run, input.params), grad: viewOf(run, input.grad), paramOut: viewOf(run, input.paramsOut),
    state: run.spec.stateKeys.map((_, j) => program.inputs[2 + j]), stateKeys: run.spec.stateKeys, stateShapes: run.spec.stateShapes,
    numbers: run.numbers,
  }, input.lr, t);
  run.numbers = numbers;
  return updateNormSq;
}

/** Another path, or a compiled-in scalar that changed: a kernel compiled for it before, else a new one. */
function elsewhere(of: Compiling, run: SlotRun, input: ArrayStepInput, t: number, adopted: boolean, allScalarsAsInputs: boolean): number {
  return !adopted && adoptKnown(run, input.lr, t) ? updateSlot(of, run, input, t, true) : retrace(of, run, input, t, allScalarsAsInputs);
}

/**
 * One slot's update: this step's scalars from the replay, then the program on the loop's arrays.
 * No closures made per call: under the CommonJS transform each one is also named with defineProperty.
 */
function updateSlot(of: Compiling, run: SlotRun, input: ArrayStepInput, t: number, adopted = false): number {
  if (run.onTensors) return updateOnTensors(of, run, input, t);
  const { kernel } = run;
  let numbers: Readonly<Record<string, number>>;
  try {
    numbers = run.replayer.run(kernel.recording, run.scalars, run.numbers, input.lr, t, kernel.returned);
    const { fixed, scalars } = run;
    const recorded = kernel.recording.scalars;
    for (let f = 0; f < fixed.length; f++) if (!Object.is(scalars[fixed[f]], recorded[fixed[f]])) return elsewhere(of, run, input, t, adopted, true);
  } catch (e) {
    if (e instanceof PathChanged) return elsewhere(of, run, input, t, adopted, false);
    throw e instanceof RuleFailure ? e : new RuleFailure(of.id, 'update', run.slot.name, t, e);
  }
  const program = kernel.program;
  const { scalarFrom, scalarTo } = run;
  for (let k = 0; k < scalarTo.length; k++) program.inputs[scalarTo[k]][0] = run.scalars[scalarFrom[k]];
  const param = viewOf(run, input.params);
  const grad = viewOf(run, input.grad);
  if (param !== program.inputs[0]) program.inputs[0].set(param);
  if (grad !== program.inputs[1]) program.inputs[1].set(grad);
  program.run();
  // param' is paired with param: after the run it is on the input side of the double buffer.
  const out = viewOf(run, input.paramsOut);
  if (out !== program.inputs[0]) out.set(program.inputs[0]);
  run.numbers = numbers;
  return kernel.squaredNorms[0];
}

export function compileRule(id: string, rule: OptimizerRule, hp: HpRecord, shapes: ParamShapes | undefined): { arrays: ArrayOptimizer } | { reason: string } {
  const of: Compiling = { id, rule, hp };
  /** Kernels compiled before the run (with the shapes known), handed to the first init whose state has the same layout. */
  let compiledAhead: SlotRun[] | undefined;
  const { initialStateOf, forgetCompiledInits } = initialStates(id, rule, hp);
  /** Kernels whose program has never run at full length: their state memory still holds zeros. */
  const untouched = new WeakSet<SlotKernel>();
  /** The slots' kernels and initial states; `ahead` (before the run, on trial values) leaves the state to the run's own prepare. */
  const prepare = (params: Float32Array, ahead?: { complete(): void }): SlotRun[] => {
    const compiled = compiledAhead;
    compiledAhead = undefined;
    const runs = slotsOf(shapes, params.length, false).map((slot, k) => {
      const { spec, state, numbers, point } = initialStateOf(slot, k, params, ahead?.complete);
      let run = compiled?.[k];
      if (!run || !sameLayout(run.spec, spec)) {
        const key = kernelKey(rule, hp, spec);
        const replayer = new SlotReplayer(rule, hp, spec);
        const at = { param: params.subarray(slot.offset, slot.offset + slot.size), numbers };
        // A pooled kernel of the path the first step takes (the lr is not known yet: the default's).
        const pooled = takeKernel(key, (k) => fits(replayer, k, numbers, rule.defaults.lr, 1));
        const kernel = pooled ?? firstKernel(rule, hp, spec, replayer, at, state, slot.size);
        if (!pooled && kernel.checkedAtLengths) untouched.add(kernel);
        const fresh = { slot, spec, key, replayer, kernels: [kernel], numbers, paths: 1, views: new WeakMap(), point, scalars: NO_SCALARS, fixed: NO_INDICES, scalarFrom: NO_INDICES, scalarTo: NO_INDICES };
        useKernel(fresh, kernel);
        run = fresh as SlotRun;
      }
      run.point = point;
      const { kernel } = run;
      const targets = spec.stateKeys.map((_, j) => kernel.program.inputs[2 + j]);
      // An update that drops or reshapes the state init made does not fit the kernel's memory (its tensor form says how, at the update).
      if (targets.some((target, j) => target?.length !== sizeOf(spec.stateShapes[j]))) throw new NotCompilable('its update does not keep the state its init made');
      // The compile's check ran one update in the program's memory: start from the initial state.
      if (!ahead) {
        state.writeInto(targets, untouched.has(kernel));
        untouched.delete(kernel);
      }
      run.numbers = numbers;
      return run;
    });
    // The run's own init, after the one ahead: the compiled inits (memories of the state's size) are not needed again.
    if (compiled) forgetCompiledInits();
    return runs;
  };

  const arrays: ArrayOptimizer<CompiledRuleState> = {
    init: (params) => ({ t: 0, slots: prepare(params) }),
    update(input, state): ArrayStepResult {
      const t = ++state.t;
      let updateNormSq = 0;
      for (const run of state.slots) updateNormSq += updateSlot(of, run, input, t);
      return { updateNormSq, extraEvals: 0 };
    },
    release(state) {
      for (const run of state.slots) for (const kernel of run.kernels) returnKernel(run.key, kernel);
    },
    // The state after the last update is on the input side of each program's double buffer.
    ...(rule.evaluationPoint
      ? { evaluationPoint: (state: CompiledRuleState, out: Float32Array) => state.slots.forEach((run) => viewOf(run, out).set(run.kernel.program.inputs[2 + run.point])) }
      : {}),
    ...(rule.stability?.preconditioner ? { preconditioner: (state: CompiledRuleState, lr: number) => preconditionerOnArrays(rule, hp, state, lr) } : {}),
    workspace(state) {
      if (state.slots.length !== 1) return undefined;
      const program = state.slots[0].kernel.program;
      return { params: [program.inputs[0], program.outputs[0]], grad: program.inputs[1] };
    },
  };
  if (!shapes) return { arrays: arrays as ArrayOptimizer };
  // With the shapes known, compile now on trial values, so a rule that cannot compile says why before the run.
  try {
    const trial = trialParams(shapes);
    compiledAhead = prepare(trial.params, trial);
  } catch (e) {
    if (e instanceof NotCompilable || e instanceof PathChanged) return { reason: `optimizer rule '${id}' does not compile: ${e.message}` };
    if (e instanceof RuleFailure) throw e;
    return { reason: `optimizer rule '${id}' does not compile: ${(e as Error).message}` };
  }
  return { arrays: arrays as ArrayOptimizer };
}
