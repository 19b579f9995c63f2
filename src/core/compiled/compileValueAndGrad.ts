/**
 * Loss and gradient of a scalar objective as plain JS: the objective's
 * tf.valueAndGrad is traced and compiled once per input shape, then checked
 * against TensorFlow.js at two points before it is trusted. Anything that
 * does not compile or does not agree throws NotCompilable, and the caller
 * keeps the tensor path.
 */
import * as tf from '@tensorflow/tfjs';
import { relativeError } from './agreement';
import { compileProgram, type CompiledProgram } from './compileProgram';
import { NotCompilable, type Program } from './program';
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

export class CompiledValueAndGrad {
  private readonly programs = new Map<string, CompiledProgram>();
  private readonly loss = new Float32Array(1);

  constructor(
    private readonly objective: TensorObjective,
    readonly size: number,
  ) {}

  /** Loss at x with the given extra inputs; ∇f into gradOut. Compiles (and checks) on the first call with new input shapes. */
  run(x: Float32Array, inputs: readonly ArrayInput[], gradOut: Float32Array): number {
    const key = inputs.map((i) => i.shape.join('x')).join('|');
    let program = this.programs.get(key);
    if (!program) {
      program = this.compile(x, inputs);
      this.programs.set(key, program);
    }
    program.run([x, ...inputs.map((i) => i.values)], [this.loss, gradOut]);
    this.gradNormSq = program.squaredNorms[0];
    return this.loss[0];
  }

  /** ‖∇f‖² of the last run, summed in float64 by the loop that wrote the gradient. */
  gradNormSq = NaN;

  /** Whether every long elementwise loop of the programs compiled so far runs as WebAssembly SIMD. */
  get vectorised(): boolean {
    return [...this.programs.values()].every((p) => p.jsLoops === 0);
  }

  /** Loops of the compiled programs that run as WebAssembly (for reports). */
  get wasmLoops(): number {
    return [...this.programs.values()].reduce((n, p) => n + p.wasmLoops, 0);
  }

  /** Number of loops and kernel calls in the compiled programs (for reports). */
  get loops(): number {
    return [...this.programs.values()].reduce((n, p) => n + p.loops, 0);
  }

  private traceAt(x: Float32Array, inputs: readonly ArrayInput[]) {
    const tensors = [tf.tensor1d(x), ...inputs.map((i) => tf.tensor(i.values, [...i.shape], i.dtype ?? 'float32'))];
    try {
      const valueAndGrad = tf.valueAndGrad((p: tf.Tensor) => this.objective(p as tf.Tensor1D, tensors.slice(1)));
      return traceProgram((p) => {
        const { value, grad } = valueAndGrad(p);
        return [value, grad];
      }, tensors);
    } finally {
      tf.dispose(tensors);
    }
  }

  private compile(x: Float32Array, inputs: readonly ArrayInput[]): CompiledProgram {
    const moved = x.map((v, i) => v + 1e-3 * (1 + Math.abs(v)) * (((i * 7) % 5) - 2));
    const first = this.traceAt(x, inputs);
    const second = this.traceAt(moved, inputs);
    if (describeProgram(first.program) !== describeProgram(second.program)) {
      throw new NotCompilable('the objective runs different operations from call to call (random numbers or values that depend on the data)');
    }
    const program = compileProgram(first.program, { squaredNormOf: [1] });
    const grad = new Float32Array(this.size);
    for (const [at, traced] of [[x, first], [moved, second]] as const) {
      program.run([at, ...inputs.map((i) => i.values)], [this.loss, grad]);
      const lossError = relativeError(this.loss, traced.results[0]);
      const gradError = relativeError(grad, traced.results[1]);
      const elements = inputs.reduce((total, i) => total + i.values.length, at.length);
      if (!(lossError <= lossTolerance(elements) && gradError <= GRAD_TOL)) {
        throw new NotCompilable(`the compiled objective disagrees with TensorFlow.js (loss ${lossError.toExponential(1)}, gradient ${gradError.toExponential(1)} relative)`);
      }
    }
    return program;
  }
}
