import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { relativeError } from '../../../../src/core/compiled/agreement';
import { compileProgram } from '../../../../src/core/compiled/compileProgram';
import { gemm, registerMemory } from '../../../../src/core/compiled/gemmKernels';
import { NotCompilable } from '../../../../src/core/compiled/program';
import { traceProgram } from '../../../../src/core/compiled/traceProgram';
import { spread, useCpuBackend, valueAndGrads } from './compiledCheck';

/**
 * 2-D convolutions compiled (im2col + products, WebAssembly SIMD or JS) against TensorFlow.js's cpu
 * kernels: the value, the gradients with respect to the input and the filter, and a second
 * derivative, for strides, 'same' / 'valid' / explicit padding and dilations.
 */
type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
interface Case {
  readonly x: [number, number, number, number];
  readonly filter: [number, number, number, number];
  readonly strides: number | [number, number];
  readonly pad: Pad;
  readonly dilations?: number | [number, number];
}

/** Sums of up to a few hundred float32 products, ordered otherwise than tfjs orders them. */
const CONV_TOL = 1e-5;

const tensorInput = (shape: readonly number[], offset: number) => ({ values: spread(shape.reduce((a, b) => a * b, 1), offset), shape });

/** Traces fn, compiles it with and without WebAssembly, and compares every output with TensorFlow.js's (one scale per output). */
function expectConvAgrees(fn: (...t: tf.Tensor[]) => tf.Tensor[], shapes: readonly (readonly number[])[], what: string): number {
  const inputs = shapes.map((shape, k) => tensorInput(shape, k + 1));
  const tensors = inputs.map((i) => tf.tensor(i.values, [...i.shape]));
  const before = tf.memory().numTensors;
  try {
    const { program, results } = traceProgram(fn, tensors);
    assert.equal(tf.memory().numTensors, before, `${what}: tensors leaked`);
    let wasmLoops = 0;
    for (const wasm of [true, false]) {
      const compiled = compileProgram(program, { wasm });
      if (wasm) wasmLoops = compiled.wasmLoops;
      const actual = compiled.outputSizes.map((n) => new Float32Array(n).fill(12345));
      compiled.run(inputs.map((i) => Float32Array.from(i.values)), actual);
      results.forEach((expected, k) => {
        const error = relativeError(actual[k], expected);
        assert.ok(error <= CONV_TOL, `${what} (${wasm ? 'wasm' : 'js'}) output ${k}: ${error.toExponential(2)} relative to TensorFlow.js`);
      });
    }
    return wasmLoops;
  } finally {
    tf.dispose(tensors);
  }
}

const CASES: Case[] = [
  { x: [2, 5, 5, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'same' },
  { x: [2, 6, 7, 2], filter: [3, 3, 2, 8], strides: 2, pad: 'valid' },
  // Stride 2 'same' on an even size pads only after (bottom, right).
  { x: [1, 8, 6, 4], filter: [2, 3, 4, 4], strides: [2, 1], pad: 'same' },
  { x: [3, 6, 6, 4], filter: [3, 3, 4, 12], strides: 2, pad: 1 },
  { x: [2, 5, 6, 2], filter: [3, 2, 2, 4], strides: 1, pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  // One input channel: 9 taps, so the input gradient's product is not a multiple of 4 wide (the JS product).
  { x: [4, 8, 8, 1], filter: [3, 3, 1, 8], strides: 1, pad: 'same' },
  // Odd output channels: every product in JS.
  { x: [2, 5, 5, 2], filter: [3, 3, 2, 3], strides: 1, pad: 'valid' },
];

describe('compiled programs: conv2d and its gradients match TensorFlow.js', () => {
  useCpuBackend();

  for (const c of CASES) {
    const what = `x [${c.x}] filter [${c.filter}] strides ${JSON.stringify(c.strides)} pad ${JSON.stringify(c.pad)}`;
    it(`${what}: value, ∂/∂x and ∂/∂filter`, () => {
      const conv = (x: tf.Tensor, f: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, c.strides, c.pad);
      expectConvAgrees(valueAndGrads(conv), [c.x, c.filter], what);
    });
  }

  it('filter rows of 24 and 18 inputs in a program with WebAssembly loops: im2col and col2im in WebAssembly (wasmPatches.ts; 18 has a scalar tail)', () => {
    const bulk: Case[] = [
      { x: [2, 8, 8, 8], filter: [3, 3, 8, 8], strides: 2, pad: 1 },
      { x: [2, 7, 6, 6], filter: [3, 3, 6, 4], strides: 1, pad: 'same' },
    ];
    for (const c of bulk) {
      // The square is a loop long enough for WebAssembly, so every buffer lives in the program's memory.
      const conv = (x: tf.Tensor, f: tf.Tensor) => tf.square(tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, c.strides, c.pad));
      const wasmLoops = expectConvAgrees(valueAndGrads(conv), [c.x, c.filter], `bulk x [${c.x}] filter [${c.filter}]`);
      assert.ok(wasmLoops > 0, 'no WebAssembly loop: the buffers would not share a memory');
    }
  });

  it('dilations 2 and [1, 2] (forward: tfjs has no gradient for dilated convolutions)', () => {
    for (const dilations of [2, [1, 2]] as const) {
      for (const pad of ['same', 'valid'] as const) {
        const conv = (x: tf.Tensor, f: tf.Tensor) => [tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, pad, 'NHWC', dilations as number | [number, number])];
        expectConvAgrees(conv, [[2, 9, 8, 3], [3, 3, 3, 4]], `dilations ${JSON.stringify(dilations)} ${pad}`);
      }
    }
  });

  it('a second derivative: the gradient of ⟨∂/∂x ‖conv(x, f)‖², v⟩ with respect to x and f (what a Hessian-vector product traces)', () => {
    // (tfjs has no gradient for Conv2DBackpropFilter, so the inner derivative is the input's.)
    const v = tensorInput([2, 6, 6, 2], 7);
    const hessianTimesV = (x: tf.Tensor, f: tf.Tensor) => {
      const vt = tf.tensor(v.values, [...v.shape]);
      const inner = (xs: tf.Tensor, fs: tf.Tensor) => {
        const gradX = tf.grad((g: tf.Tensor) => tf.sum(tf.square(tf.conv2d(g as tf.Tensor4D, fs as tf.Tensor4D, 2, 'same'))))(xs);
        return tf.sum(tf.mul(gradX, vt));
      };
      return tf.grads(inner)([x, f]);
    };
    expectConvAgrees(hessianTimesV, [[2, 6, 6, 2], [3, 3, 2, 4]], 'second derivative');
  });

  it('a convolution in NCHW is refused (NotCompilable), not computed wrong', () => {
    const x = tf.tensor(spread(2 * 3 * 5 * 5, 1), [2, 3, 5, 5]);
    const f = tf.tensor(spread(3 * 3 * 3 * 4, 2), [3, 3, 3, 4]);
    try {
      // The cpu backend does not run NCHW itself, so the trace is built by hand from an NHWC one.
      const { program } = traceProgram((a, b) => [tf.conv2d(tf.transpose(a, [0, 2, 3, 1]) as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')], [x, f]);
      const node = program.nodes.find((n) => n.kernel === 'Conv2D');
      assert.ok(node);
      const nchw = { ...program, nodes: program.nodes.map((n) => (n === node ? { ...n, attrs: { ...n.attrs, dataFormat: 'NCHW' } } : n)) };
      assert.throws(() => compileProgram(nchw), NotCompilable);
    } finally {
      tf.dispose([x, f]);
    }
  });
});

describe('gemm: the WebAssembly SIMD product against a float64 reference', () => {
  it('m not a multiple of 4, n = 4·odd, 8·k and neither (the last columns one at a time), a transposed or not', () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
    registerMemory(memory);
    let at = 0;
    const take = (n: number) => {
      const view = new Float32Array(memory.buffer, at, n);
      at += Math.ceil((4 * n) / 16) * 16 + 16;
      return view;
    };
    for (const [m, k, n] of [[7, 5, 12], [9, 33, 16], [1, 1, 4], [13, 4, 20], [5, 7, 10], [6, 3, 3], [4, 9, 1]]) {
      for (const transA of [false, true]) {
        at = 0;
        const a = take(m * k);
        const b = take(k * n);
        const out = take(m * n);
        a.set(spread(m * k, 1));
        b.set(spread(k * n, 2));
        gemm(a, b, out, m, k, n, transA, false);
        const expected = new Float32Array(m * n);
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            let sum = 0;
            for (let p = 0; p < k; p++) sum += (transA ? a[p * m + i] : a[i * k + p]) * b[p * n + j];
            expected[i * n + j] = sum;
          }
        }
        assert.ok(relativeError(out, expected) <= 1e-6, `m ${m} k ${k} n ${n} transA ${transA}: ${relativeError(out, expected)}`);
      }
    }
  });
});
