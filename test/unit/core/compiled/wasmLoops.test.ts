import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { compileProgram, type CompiledProgram } from '../../../../src/core/compiled/compileProgram';
import { traceProgram } from '../../../../src/core/compiled/traceProgram';
import { spread, useCpuBackend, rosenbrockChain } from './compiledCheck';

/**
 * Traced programs compiled twice, with loops as WebAssembly and all in JS,
 * give the same outputs: bit for bit, except outputs computed from a float64
 * sum (summed in another order by the vector loop), which agree to 1e-6 of
 * their float32 value. Inputs are smooth values and then values with NaN,
 * ±Infinity, ±0, subnormals and float32 extremes mixed in; each program runs
 * twice (the WebAssembly memory's buffers are reused between calls).
 */

type Objective = (...xs: tf.Tensor[]) => tf.Scalar;

interface ProgramCase {
  readonly name: string;
  readonly fn: (...xs: tf.Tensor[]) => tf.Tensor[];
  readonly shapes: readonly (readonly number[])[];
  /** Outputs that depend on a float64 sum (the loss, a mean, anything after them). */
  readonly summed: readonly number[];
  /** A loop of 32 or more elements has a kernel without an IR form (it must stay in JS). */
  readonly jsLoop?: boolean;
}

const SPECIALS = [NaN, Infinity, -Infinity, -0, 0, Math.fround(1e-45), Math.fround(-1e-40), Math.fround(3.4e38), Math.fround(-3.4e38), Math.fround(1e-30)];

/** Smooth values in [-2, 2] (with a zero), or the same with a special value at every 7th element. */
function inputValues(n: number, seed: number, specials: boolean): Float32Array {
  return Float32Array.from(spread(n, seed), (v, i) => (specials && i % 7 === 3 ? SPECIALS[(i + seed) % SPECIALS.length] : v));
}

/** The value and the gradient with respect to every input. */
function valueAndGrads(f: Objective): (...xs: tf.Tensor[]) => tf.Tensor[] {
  return (...xs) => {
    const { value, grads } = tf.valueAndGrads((...ys: tf.Tensor[]) => f(...ys))(xs);
    return [value, ...grads];
  };
}

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function compileBoth(c: ProgramCase): { wasm: CompiledProgram; js: CompiledProgram } {
  const before = tf.memory().numTensors;
  const tensors = c.shapes.map((shape, k) => tf.tensor(inputValues(sizeOf(shape), k, false), [...shape]));
  const { program } = traceProgram(c.fn, tensors);
  tf.dispose(tensors);
  assert.equal(tf.memory().numTensors, before, `${c.name}: tensors leaked`);
  return { wasm: compileProgram(program, { wasm: true }), js: compileProgram(program, { wasm: false }) };
}

function runProgram(program: CompiledProgram, inputs: readonly Float32Array[]): Float32Array[] {
  const outputs = program.outputSizes.map((n) => new Float32Array(n).fill(12345));
  program.run(inputs, outputs);
  return outputs;
}

function assertSameOutputs(c: ProgramCase, wasm: readonly Float32Array[], js: readonly Float32Array[], what: string): void {
  js.forEach((expected, k) => {
    const actual = wasm[k];
    for (let i = 0; i < expected.length; i++) {
      const [a, e] = [actual[i], expected[i]];
      if (Object.is(a, e)) continue;
      const close = c.summed.includes(k) && Number.isFinite(e) && Math.abs(a - e) <= 1e-6 * Math.max(Math.abs(e), 1e-3);
      assert.ok(close, `${what}: output ${k}[${i}] is ${a} with WebAssembly, ${e} in JS`);
    }
  });
}

/** Rosenbrock written with pads: both ends of the windows padded, the pad value a non-zero constant. */
const paddedRosenbrock: Objective = (x) => {
  const left = tf.pad(x, [[1, 0]], 1);
  const right = tf.pad(x, [[0, 1]], 1);
  return tf.sum(tf.add(tf.mul(100, tf.square(tf.sub(left, tf.square(right)))), tf.square(tf.sub(1, right))));
};

/** A 2-D five-point stencil on a [rows, cols] grid: slices along both axes (windows and general maps). */
const stencil2d: Objective = (x) => {
  const [r, c] = x.shape;
  const inner = tf.slice(x, [1, 1], [r - 2, c - 2]);
  const up = tf.slice(x, [0, 1], [r - 2, c - 2]);
  const down = tf.slice(x, [2, 1], [r - 2, c - 2]);
  const left = tf.slice(x, [1, 0], [r - 2, c - 2]);
  const right = tf.slice(x, [1, 2], [r - 2, c - 2]);
  const laplacian = tf.sub(tf.add(tf.add(up, down), tf.add(left, right)), tf.mul(4, inner));
  return tf.add(tf.mean(tf.square(laplacian)), tf.mul(0.5, tf.sum(tf.abs(tf.pad(inner, [[1, 1], [2, 0]], -0.5)))));
};

/** Broadcasts of a row, a column and a scalar (modulo, divide and constant reads). */
const broadcasts = (x: tf.Tensor, row: tf.Tensor, column: tf.Tensor, scalar: tf.Tensor): tf.Tensor[] => [
  tf.add(tf.mul(tf.sub(x, row), column), scalar),
  tf.maximum(tf.div(x, tf.add(tf.abs(row), 0.1)), tf.neg(scalar)),
];

/** Two relu layers and a squared error, every parameter's gradient. */
const mlp: Objective = (x, w1, b1, w2, b2, y) =>
  tf.mean(tf.square(tf.sub(tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x as tf.Tensor2D, w1 as tf.Tensor2D), b1)), w2 as tf.Tensor2D), b2), y)));

const reductions = (x: tf.Tensor): tf.Tensor[] => [tf.sum(tf.square(x)), tf.mean(tf.sub(x, 0.1)), tf.max(tf.abs(x)), tf.min(tf.mul(x, 3)), tf.max(x)];

/** tanh has no IR form: its loop (n elements) stays in JS while the slices' loop (n − 1) runs as WebAssembly. */
const mixed: Objective = (x) => {
  const n = x.size;
  const d = tf.sub(tf.slice(x, 1, n - 1), tf.slice(x, 0, n - 1));
  return tf.add(tf.sum(tf.square(d)), tf.sum(tf.sinh(tf.mul(x, 0.7))));
};

const CASES: readonly ProgramCase[] = [
  { name: 'Rosenbrock chain (slices), value and gradient', fn: valueAndGrads(rosenbrockChain), shapes: [[1001]], summed: [0] },
  { name: 'Rosenbrock with pads at both ends, value and gradient', fn: valueAndGrads(paddedRosenbrock), shapes: [[97]], summed: [0] },
  { name: '2-D stencil (slices along both axes, a padded view), value and gradient', fn: valueAndGrads(stencil2d), shapes: [[23, 37]], summed: [0, 1] },
  { name: 'broadcasts of a row, a column and a scalar', fn: broadcasts, shapes: [[64, 33], [33], [64, 1], [1]], summed: [] },
  {
    name: 'broadcasts, gradients (sums over broadcast axes)',
    // (Not through tf.maximum: its gradient for a broadcast operand has the wrong shape in tfjs.)
    fn: valueAndGrads((x, row, column, scalar) => tf.sum(tf.mul(broadcasts(x, row, column, scalar)[0], tf.div(x, tf.add(tf.abs(row), 0.1))))),
    shapes: [[64, 33], [33], [64, 1], [1]],
    summed: [0, 1, 2, 3, 4],
  },
  { name: 'a relu MLP (8 → 40 → 36), loss and every gradient', fn: valueAndGrads(mlp), shapes: [[16, 8], [8, 40], [40], [40, 36], [36], [16, 36]], summed: [0, 1, 2, 3, 4, 5, 6] },
  { name: 'reductions: sum, mean, max, min', fn: reductions, shapes: [[35, 3]], summed: [0, 1] },
  { name: 'a JS-only kernel (sinh) in one loop, IR kernels in another, value and gradient', fn: valueAndGrads(mixed), shapes: [[200]], summed: [0], jsLoop: true },
];

describe('compiled programs: WebAssembly loops give the same outputs as the JS loops', () => {
  useCpuBackend();

  for (const c of CASES) {
    it(c.name, () => {
      const { wasm, js } = compileBoth(c);
      assert.ok(wasm.wasmLoops > 0, `${c.name}: no loop runs as WebAssembly`);
      assert.equal(js.wasmLoops, 0);
      if (c.jsLoop) assert.ok(wasm.jsLoops > 0, `${c.name}: the JS-only kernel's loop should stay in JS`);
      for (const specials of [false, true, false]) {
        const inputs = c.shapes.map((shape, k) => inputValues(sizeOf(shape), 5 * k + (specials ? 1 : 2), specials));
        assertSameOutputs(c, runProgram(wasm, inputs), runProgram(js, inputs), `${c.name} (${specials ? 'special values' : 'smooth values'})`);
      }
    });
  }
});
