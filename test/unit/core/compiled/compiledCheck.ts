/**
 * Shared checks for the plain-JS compiler tests: trace a TensorFlow.js
 * computation, compile it, run the compiled program on the same inputs and
 * compare every output element with what TensorFlow.js computed.
 */
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { compileProgram, type CompiledProgram } from '../../../../src/core/compiled/compileProgram';
import { traceProgram } from '../../../../src/core/compiled/traceProgram';

export interface TestInput {
  readonly values: readonly number[];
  readonly shape: readonly number[];
  readonly dtype?: 'float32' | 'int32' | 'bool';
}

/** float32 tolerances: arithmetic, and transcendental functions (JS's Math vs the backend's). */
export const ARITH_TOL = 1e-6;
export const TRANSCENDENTAL_TOL = 1e-5;

/** Deterministic values in [-2, 2] with a zero in them (no randomness in unit tests). */
export function spread(n: number, offset = 0): number[] {
  return Array.from({ length: n }, (_, i) => (i === 0 ? 0 : Math.sin(1.7 * (i + offset)) * 2));
}

/** Fails with the first element where `actual` and `expected` differ by more than tol relative (NaNs must match). */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e)) {
      assert.ok(Number.isNaN(a), `${what}[${i}]: ${a}, TensorFlow.js NaN`);
      continue;
    }
    if (a === e) continue;
    // A tiny absolute floor: round-off of a difference that cancels to ~0 is relative to its operands, not to 0.
    assert.ok(Math.abs(a - e) <= tol * Math.max(Math.abs(e), 1e-3), `${what}[${i}]: compiled ${a}, TensorFlow.js ${e}`);
  }
}

/** Traces `fn` on tensors of `inputs`, compiles it and returns the program with TensorFlow.js's results and the compiled ones. */
export function compileAndRun(
  fn: (...inputs: tf.Tensor[]) => tf.Tensor[],
  inputs: readonly TestInput[],
): { program: CompiledProgram; expected: Float32Array[]; actual: Float32Array[] } {
  const tensors = inputs.map((i) => tf.tensor(i.values as number[], [...i.shape], i.dtype ?? 'float32'));
  try {
    const { program: traced, results } = traceProgram(fn, tensors);
    const program = compileProgram(traced);
    return { program, expected: results, actual: runProgram(program, inputs.map((i) => Float32Array.from(i.values))) };
  } finally {
    tf.dispose(tensors);
  }
}

/** Runs a compiled program on `inputs` into fresh outputs (filled with 12345 first, so an element never written shows). */
export function runProgram(program: CompiledProgram, inputs: readonly Float32Array[]): Float32Array[] {
  const outputs = program.outputSizes.map((n) => new Float32Array(n).fill(12345));
  program.run(inputs, outputs);
  return outputs;
}

/** compileAndRun, then every output element compared; also checks that nothing leaked. */
export function expectSameAsTfjs(fn: (...inputs: tf.Tensor[]) => tf.Tensor[], inputs: readonly TestInput[], tol: number, what: string): CompiledProgram {
  const before = tf.memory().numTensors;
  const { program, expected, actual } = compileAndRun(fn, inputs);
  assert.equal(tf.memory().numTensors, before, `${what}: tensors leaked`);
  expected.forEach((e, k) => assertClose(actual[k], e, tol, `${what} output ${k}`));
  return program;
}

/**
 * The forward value of `op` and the gradient of sum(op(...) · w) with respect
 * to every float input, w a fixed non-uniform weight, so the backward pass
 * sees a non-trivial upstream gradient.
 */
export function valueAndGrads(op: (...inputs: tf.Tensor[]) => tf.Tensor, floatInputs = Infinity): (...inputs: tf.Tensor[]) => tf.Tensor[] {
  return (...inputs) => {
    const differentiable = inputs.slice(0, Math.min(floatInputs, inputs.length));
    const rest = inputs.slice(differentiable.length);
    const y = op(...inputs);
    const w = tf.tensor(spread(y.size, 3).map((v) => v + 0.5), y.shape);
    const grads = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(op(...xs, ...rest), w)))(differentiable);
    return [y, ...grads];
  };
}

export function useCpuBackend(): void {
  before(async () => {
    await tf.setBackend('cpu');
    await tf.ready();
  });
}

/** The n-dimensional Rosenbrock chain Σ 100·(x[i+1] − x[i]²)² + (1 − x[i])², by slices (the compiler's stencil case). */
export function rosenbrockChain(x: tf.Tensor): tf.Scalar {
  const n = x.size;
  const head = tf.slice(x, 0, n - 1);
  const tail = tf.slice(x, 1, n - 1);
  return tf.sum(tf.add(tf.mul(100, tf.square(tf.sub(tail, tf.square(head)))), tf.square(tf.sub(1, head)))) as tf.Scalar;
}
