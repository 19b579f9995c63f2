/**
 * Loss and gradient of a scalar objective as plain JS: the objective's
 * tf.valueAndGrad is traced and compiled once per input shape, then checked
 * against TensorFlow.js at two points before it is trusted (a further batch
 * shape at one: the kernels were shown the same from call to call). Anything that
 * does not compile or does not agree throws NotCompilable, and the caller
 * keeps the tensor path.
 */
import * as tf from '@tensorflow/tfjs';
import { releaseAbandonedTape } from './abandonedTape';
import { relativeError } from './agreement';
import type { Workspace } from '../arrays/contracts';
import { compileProgram, type CompiledProgram } from './compileProgram';
import { guestsIn, type GuestProgram } from './guestProgram';
import { NotCompilable, type Program } from './program';
import { compileWithText, lengthInputValues, SMALL_TRACE_MIN, sizeGeneric, smallSizesFor } from './sizeGeneric';
import { traceProgram } from './traceProgram';

/** An extra input of the objective (a mini-batch column): values and shape. */
export interface ArrayInput {
  readonly values: Float32Array;
  readonly shape: readonly number[];
  /** The tensor dtype the objective sees (labels are often int32); float32 when absent. */
  readonly dtype?: tf.DataType;
}

export type TensorObjective = (x: tf.Tensor1D, inputs: readonly tf.Tensor[]) => tf.Scalar;

/**
 * Relative agreement required between the compiled program and TensorFlow.js. Both are float32,
 * but the compiled loops sum in float64 while tfjs adds float32 terms one by one, whose error
 * grows with the number of terms (3e-4 relative for Rosenbrock at n = 1e5), hence the size term.
 */
const lossTolerance = (elements: number) => Math.max(1e-4, 1e-7 * elements);
const GRAD_TOL = 1e-3;

function describeProgram(p: Program): string {
  const ids = new Map<number, number>();
  const idOf = (v: number) => {
    if (!ids.has(v)) ids.set(v, ids.size);
    return ids.get(v);
  };
  p.inputs.forEach(idOf);
  const constants: string[] = [];
  const parts = p.nodes.map((node) => {
    const ins = node.inputs.map((input) => {
      const source = p.values.get(input.value)?.source;
      // The first 64 values of each constant tell random draws apart; whole data sets need not be compared.
      if (source?.kind === 'constant' && !ids.has(input.value)) constants.push(Array.from(source.values.slice(0, 64)).join(','));
      return idOf(input.value);
    });
    node.outputs.forEach(idOf);
    return `${node.kernel}(${ins.join(',')})${JSON.stringify(node.attrs)}`;
  });
  return `${parts.join(';')}|${constants.join(';')}|${p.outputs.map(idOf).join(',')}`;
}

/** The programs' key: the extra inputs' shapes. */
const keyOf = (inputs: readonly ArrayInput[]): string => inputs.map((i) => i.shape.join('x')).join('|');

/** What run() passes one batch shape's program: the argument lists are reused, each call's arrays written in and cleared after. */
interface ProgramCall {
  readonly shapes: readonly (readonly number[])[];
  readonly program: CompiledProgram;
  readonly guest: GuestProgram | undefined;
  /** [x, the inputs' values, the program's own extra inputs]. */
  readonly programInputs: Float32Array[];
  /** [loss, gradient]. */
  readonly outputs: Float32Array[];
}

/** Placeholder for a caller's array in a reused argument list between calls. */
const NO_VALUES = new Float32Array(0);

/** Whether the inputs have the shapes given (a step's batch is the last one's size). */
function sameShapes(shapes: readonly (readonly number[])[], inputs: readonly ArrayInput[]): boolean {
  if (shapes.length !== inputs.length) return false;
  for (let k = 0; k < inputs.length; k++) {
    const a = shapes[k];
    const b = inputs[k].shape;
    if (a.length !== b.length) return false;
    for (let d = 0; d < a.length; d++) if (a[d] !== b[d]) return false;
  }
  return true;
}

/** A second point near x (values of both signs of change), so a check does not rest on one point. */
const moved = (x: Float32Array): Float32Array => x.map((v, i) => v + 1e-3 * (1 + Math.abs(v)) * (((i * 7) % 5) - 2));

export class CompiledValueAndGrad {
  /** Per batch shape: the program and the inputs it takes after the batch's (the length, for one traced small: sizeGeneric.ts). */
  private readonly programs = new Map<string, { readonly program: CompiledProgram; readonly extra: readonly Float32Array[] }>();
  private readonly loss = new Float32Array(1);
  /** Per batch shape: the program as a guest of the optimizer's memory, after shareWorkspace. */
  private guests = new Map<string, GuestProgram>();
  /** Per batch shape: what run() passes the program (made on the first call of that shape; forgotten when the guests change). */
  private readonly calls = new Map<string, ProgramCall>();
  private lastCall: ProgramCall | undefined = undefined;

  constructor(
    private readonly objective: TensorObjective,
    readonly size: number,
  ) {}

  /** Loss at x with the given extra inputs; ∇f into gradOut. Compiles (and checks) on the first call with new input shapes. */
  run(x: Float32Array, inputs: readonly ArrayInput[], gradOut: Float32Array): number {
    // The last call's shapes again (every step but a batch of another size): no key, lookup or array made.
    let call = this.lastCall;
    if (call === undefined || !sameShapes(call.shapes, inputs)) call = this.callFor(x, inputs);
    const { programInputs, outputs, program } = call;
    programInputs[0] = x;
    for (let k = 0; k < inputs.length; k++) programInputs[1 + k] = inputs[k].values;
    outputs[1] = gradOut;
    // As a guest of the optimizer's memory (shareWorkspace) x and gradOut are read and written in place; other arrays are copied.
    if (call.guest === undefined || !call.guest.run(programInputs, outputs)) program.run(programInputs, outputs);
    // The caller's arrays are not kept past the call.
    for (let k = 0; k <= inputs.length; k++) programInputs[k] = NO_VALUES;
    outputs[1] = NO_VALUES;
    this.gradNormSq = program.squaredNorms[0];
    return this.loss[0];
  }

  /** The program, guest and argument lists for these inputs' shapes (compiled and checked at x when new), as the last call's. */
  private callFor(x: Float32Array, inputs: readonly ArrayInput[]): ProgramCall {
    const key = keyOf(inputs);
    let call = this.calls.get(key);
    if (call === undefined) {
      const { program, extra } = this.prepare(x, inputs);
      call = {
        shapes: inputs.map((i) => [...i.shape]), program, guest: this.guests.get(key),
        programInputs: [x, ...inputs.map((i) => i.values), ...extra], outputs: [this.loss, NO_VALUES],
      };
      this.calls.set(key, call);
    }
    this.lastCall = call;
    return call;
  }

  /**
   * The program for these inputs' shapes, compiled (and checked) at x when it is new. A long vector's is
   * checked at small lengths only: its full-length memory stays untouched (no resident pages) until a
   * run on other arrays than the optimizer's needs it (shareWorkspace).
   */
  prepare(x: Float32Array, inputs: readonly ArrayInput[]): { readonly program: CompiledProgram; readonly extra: readonly Float32Array[] } {
    const key = keyOf(inputs);
    let compiled = this.programs.get(key);
    if (!compiled) {
      compiled = this.compile(x, inputs);
      this.programs.set(key, compiled);
    }
    return compiled;
  }

  /**
   * The programs compiled so far run as guests of the memory `workspace` is in: x in either half of
   * its parameters' double buffer, the gradient into its grad (ArrayObjective.shareWorkspace). False
   * when they cannot (the arrays are not a compiled program's memory, or every program is in JS and
   * runs on the caller's arrays anyway).
   */
  shareWorkspace(workspace: Workspace): boolean {
    const keys = [...this.programs.keys()];
    const requests = keys.map((key) => {
      const program = (this.programs.get(key) as { program: CompiledProgram }).program;
      const others = (count: number) => new Array<undefined>(count).fill(undefined);
      const placed = (x: Float32Array) => ({ inputs: [x, ...others(program.inputSizes.length - 1)], outputs: [undefined, workspace.grad] });
      return { program, placements: workspace.params.map(placed) };
    });
    const guests = requests.length > 0 ? guestsIn(requests) : undefined;
    if (!guests || guests.every((g) => g === undefined)) return false;
    this.guests = new Map(keys.flatMap((key, k) => (guests[k] ? [[key, guests[k]] as const] : [])));
    this.calls.clear();
    this.lastCall = undefined;
    return true;
  }

  /**
   * How the programs were checked: at two small lengths of the vector (shape-generic, then run at full
   * length), or at full length and why (for the run's path note); undefined below SMALL_TRACE_MIN.
   */
  checkedAt: string | undefined;

  /** ‖∇f‖² of the last run, summed in float64 by the loop that wrote the gradient. */
  gradNormSq = NaN;

  /** Whether every long elementwise loop of the programs compiled so far runs as WebAssembly SIMD. */
  get vectorised(): boolean {
    return [...this.programs.values()].every(({ program }) => program.jsLoops === 0);
  }

  /** Loops of the compiled programs that run as WebAssembly (for reports). */
  get wasmLoops(): number {
    return [...this.programs.values()].reduce((n, { program }) => n + program.wasmLoops, 0);
  }

  /** Number of loops and kernel calls in the compiled programs (for reports). */
  get loops(): number {
    return [...this.programs.values()].reduce((n, { program }) => n + program.loops, 0);
  }

  private traceAt(x: Float32Array, inputs: readonly ArrayInput[]) {
    const tensors = [tf.tensor1d(x), ...inputs.map((i) => tf.tensor(i.values, [...i.shape], i.dtype ?? 'float32'))];
    try {
      const valueAndGrad = tf.valueAndGrad((p: tf.Tensor) => this.objective(p as tf.Tensor1D, tensors.slice(1)));
      return traceProgram((p) => {
        const { value, grad } = valueAndGrad(p);
        return [value, grad];
      }, tensors);
    } catch (e) {
      // Thrown inside tf.grad, the error left the tensors saved for the backward pass behind: they go first,
      // while the inputs they may share memory with still exist (the wasm backend faults otherwise).
      releaseAbandonedTape(tf);
      throw e;
    } finally {
      tf.dispose(tensors);
    }
  }

  private compile(x: Float32Array, inputs: readonly ArrayInput[]): { program: CompiledProgram; extra: readonly Float32Array[] } {
    if (this.size < SMALL_TRACE_MIN) return { program: this.compileAtFullLength(x, inputs), extra: [] };
    const small = this.compileAtSmallLengths(x, inputs);
    if ('program' in small) {
      this.checkedAt = small.note;
      return small;
    }
    this.checkedAt = `traced and checked at full length: ${small.reason}`;
    return { program: this.compileAtFullLength(x, inputs), extra: [] };
  }

  /** Throws NotCompilable when the compiled program's loss or gradient at `at` is not TensorFlow.js's. */
  private check(program: CompiledProgram, at: Float32Array, inputs: readonly ArrayInput[], results: readonly Float32Array[], extra: readonly Float32Array[] = []): void {
    const grad = new Float32Array(at.length);
    program.run([at, ...inputs.map((i) => i.values), ...extra], [this.loss, grad]);
    const lossError = relativeError(this.loss, results[0]);
    const gradError = relativeError(grad, results[1]);
    const elements = inputs.reduce((total, i) => total + i.values.length, at.length);
    if (!(lossError <= lossTolerance(elements) && gradError <= GRAD_TOL)) {
      throw new NotCompilable(`the compiled objective disagrees with TensorFlow.js (loss ${lossError.toExponential(1)}, gradient ${gradError.toExponential(1)} relative)`);
    }
  }

  /**
   * The objective traced at two small lengths of the vector (x's first entries; the second moved, as
   * the full-length check moves it). When the two traces are one program of the length (sizeGeneric),
   * it is checked against TensorFlow.js at both lengths and compiled at full length, where its code
   * must be the code checked with the length substituted. Otherwise a reason (the caller then traces
   * at full length); a disagreement with TensorFlow.js throws NotCompilable as at full length.
   */
  private compileAtSmallLengths(x: Float32Array, inputs: readonly ArrayInput[]): { program: CompiledProgram; extra: Float32Array[]; note: string } | { reason: string } {
    const [na, nb] = smallSizesFor(this.size);
    const points = [x.slice(0, na), moved(x.slice(0, nb))];
    let traces;
    try {
      traces = points.map((at) => this.traceAt(at, inputs));
    } catch (e) {
      return { reason: `it does not trace at ${na} parameters (${(e as Error).message})` };
    }
    const generic = sizeGeneric(traces[0].program, na, traces[1].program, nb);
    if ('reason' in generic) return { reason: `its computation changes with the vector's length (${generic.reason})` };
    const checkedText = [na, nb].map((length, k) => {
      const { compiled, text } = compileWithText(generic.at(length), { squaredNormOf: [1] });
      this.check(compiled, points[k], inputs, traces[k].results, lengthInputValues(generic, length));
      return text(length);
    })[1];
    const full = compileWithText(generic.at(this.size), { squaredNormOf: [1] });
    if (full.text(this.size) !== checkedText) return { reason: 'its code at full length is not the code checked at a small length' };
    return { program: full.compiled, extra: lengthInputValues(generic, this.size), note: `traced and checked against TensorFlow.js at ${na} and ${nb} parameters (the same program at every length), run at ${this.size}` };
  }

  private compileAtFullLength(x: Float32Array, inputs: readonly ArrayInput[]): CompiledProgram {
    const first = this.traceAt(x, inputs);
    if (this.programs.size > 0) {
      // Another batch shape (the whole data set of the final loss): the objective already ran the same kernels
      // at two points and agreed at both, so one trace and one check here (each costs a TensorFlow.js evaluation).
      const program = compileProgram(first.program, { squaredNormOf: [1] });
      this.check(program, x, inputs, first.results);
      return program;
    }
    const second = moved(x);
    const secondTrace = this.traceAt(second, inputs);
    if (describeProgram(first.program) !== describeProgram(secondTrace.program)) {
      throw new NotCompilable('the objective runs different operations from call to call (random numbers or values that depend on the data)');
    }
    const program = compileProgram(first.program, { squaredNormOf: [1] });
    this.check(program, x, inputs, first.results);
    this.check(program, second, inputs, secondTrace.results);
    return program;
  }
}
