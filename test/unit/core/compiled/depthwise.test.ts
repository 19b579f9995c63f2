import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { relativeError } from '../../../../src/core/compiled/agreement';
import { compileProgram } from '../../../../src/core/compiled/compileProgram';
import { NotCompilable } from '../../../../src/core/compiled/program';
import { traceProgram } from '../../../../src/core/compiled/traceProgram';
import { selectBackend } from '../../../../src/runner/backend';
import { forEachBackend } from '../../helpers/backends';
import { spread, valueAndGrads } from './compiledCheck';

/**
 * tf.depthwiseConv2d compiled (depthwiseKernels.ts, called from JS and from programs with
 * WebAssembly loops) against TensorFlow.js on cpu and wasm: the value and the gradients with
 * respect to the input and the filter, for strides, 'same' / 'valid' / explicit padding, channel
 * multipliers and (forward only: TensorFlow.js's gradient refuses them) dilations. The wasm
 * backend's gradient kernels are ours (tfjs/wasmDepthwiseKernels.ts), so on wasm they are also
 * held to the cpu backend's, which TensorFlow.js wrote.
 */
type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
interface Case {
  readonly x: [number, number, number, number];
  readonly filter: [number, number, number, number];
  readonly strides: number | [number, number];
  readonly pad: Pad;
  readonly dilations?: number | [number, number];
}

/** Float64 sums rounded once against tfjs cpu's float32 running sums (and wasm's XNNPACK order). */
const TOL = 1e-5;

const CASES: Case[] = [
  { x: [2, 5, 5, 3], filter: [3, 3, 3, 1], strides: 1, pad: 'same' },
  { x: [2, 6, 7, 2], filter: [3, 3, 2, 2], strides: 2, pad: 'valid' },
  // Stride 2 'same' on an even size pads only after (bottom, right).
  { x: [1, 8, 6, 4], filter: [2, 3, 4, 3], strides: [2, 1], pad: 'same' },
  { x: [3, 6, 6, 4], filter: [3, 3, 4, 1], strides: 2, pad: 1 },
  { x: [2, 5, 6, 2], filter: [3, 2, 2, 2], strides: 1, pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
];

const DILATED: Case[] = [
  { x: [2, 7, 7, 3], filter: [3, 3, 3, 2], strides: 1, pad: 'same', dilations: 2 },
  { x: [1, 9, 8, 2], filter: [2, 3, 2, 1], strides: 1, pad: 'valid', dilations: [2, 3] },
];

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const depthwise = (c: Case) => (x: tf.Tensor, f: tf.Tensor) =>
  tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, c.strides, c.pad, 'NHWC', c.dilations ?? 1);
const describeCase = (c: Case) =>
  `x [${c.x}] filter [${c.filter}] strides ${JSON.stringify(c.strides)} pad ${JSON.stringify(c.pad)}${c.dilations ? ` dilations ${JSON.stringify(c.dilations)}` : ''}`;

/** Traces fn on the shapes' inputs, compiles it with and without WebAssembly loops, and holds every output to TensorFlow.js's. */
function expectAgrees(fn: (...t: tf.Tensor[]) => tf.Tensor[], shapes: readonly (readonly number[])[], what: string): string[] {
  const values = shapes.map((shape, k) => spread(sizeOf(shape), k + 1));
  const tensors = values.map((v, k) => tf.tensor(v, [...shapes[k]]));
  const before = tf.memory().numTensors;
  try {
    const { program, results } = traceProgram(fn, tensors);
    assert.equal(tf.memory().numTensors, before, `${what}: tensors leaked`);
    for (const wasm of [true, false]) {
      const compiled = compileProgram(program, { wasm });
      const actual = compiled.outputSizes.map((n) => new Float32Array(n).fill(12345));
      compiled.run(values.map((v) => Float32Array.from(v)), actual);
      results.forEach((expected, k) => {
        const error = relativeError(actual[k], expected);
        assert.ok(error <= TOL, `${what} (${wasm ? 'wasm' : 'js'} loops) output ${k}: ${error.toExponential(2)} relative to TensorFlow.js`);
      });
    }
    return program.nodes.map((n) => n.kernel);
  } finally {
    tf.dispose(tensors);
  }
}

describe('compiled programs: depthwiseConv2d and its gradients match TensorFlow.js', function () {
  this.timeout(120_000);

  forEachBackend((backend) => {
    for (const c of CASES) {
      it(`${describeCase(c)}: value, ∂/∂x and ∂/∂filter`, () => {
        const kernels = expectAgrees(valueAndGrads(depthwise(c)), [c.x, c.filter], describeCase(c));
        for (const k of ['DepthwiseConv2dNative', 'DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter']) assert.ok(kernels.includes(k), kernels.join(' '));
      });
    }

    for (const c of DILATED) {
      it(`${describeCase(c)}: value`, () => {
        const kernels = expectAgrees((x, f) => [depthwise(c)(x, f)], [c.x, c.filter], describeCase(c));
        assert.deepEqual(kernels, ['DepthwiseConv2dNative']);
      });
    }

    it('a separable block (depthwise → relu → pointwise conv → squared loss): value and both filters\' gradients', () => {
      const net = (x: tf.Tensor, dw: tf.Tensor, pw: tf.Tensor) =>
        tf.sum(tf.square(tf.conv2d(tf.relu(tf.depthwiseConv2d(x as tf.Tensor4D, dw as tf.Tensor4D, 1, 'same')) as tf.Tensor4D, pw as tf.Tensor4D, 1, 'valid')));
      const loss = (x: tf.Tensor, dw: tf.Tensor, pw: tf.Tensor) => [net(x, dw, pw), ...tf.grads((a: tf.Tensor, b: tf.Tensor) => net(x, a, b))([dw, pw])];
      expectAgrees(loss, [[4, 8, 8, 3], [3, 3, 3, 2], [1, 1, 6, 5]], 'separable block');
    });

    if (backend === 'wasm') {
      it("the wasm backend's depthwise gradient kernels (ours) give the cpu backend's gradients", async () => {
        const c = CASES[2];
        const grads = () => {
          const x = tf.tensor(spread(sizeOf(c.x), 1), c.x);
          const f = tf.tensor(spread(sizeOf(c.filter), 2), c.filter);
          const w = tf.tensor(spread(sizeOf([1, 4, 6, 12]), 3), [1, 4, 6, 12]);
          const out = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(depthwise(c)(a, b), w)))([x, f]).map((g) => g.dataSync());
          tf.dispose([x, f, w]);
          return out;
        };
        const onWasm = tf.tidy(grads);
        await selectBackend('cpu');
        const onCpu = tf.tidy(grads);
        await selectBackend('wasm');
        onWasm.forEach((g, k) => assert.ok(relativeError(g as Float32Array, onCpu[k] as Float32Array) <= TOL, `gradient ${k}`));
      });
    }
  });

  it('NCHW is refused with the reason (tfjs runs it as a transpose around NHWC, which compiles instead)', async () => {
    await selectBackend('cpu');
    const x = tf.tensor(spread(2 * 5 * 5 * 3, 1), [2, 5, 5, 3]);
    const f = tf.tensor(spread(3 * 3 * 3 * 1, 2), [3, 3, 3, 1]);
    try {
      const { program } = traceProgram((a, b) => [tf.engine().runKernel('DepthwiseConv2dNative', { x: a, filter: b }, { strides: 1, pad: 'same', dataFormat: 'NCHW', dilations: 1 }) as tf.Tensor], [x, f]);
      assert.throws(() => compileProgram(program), (e: unknown) => e instanceof NotCompilable && /only NHWC compiles/.test((e as Error).message));
    } finally {
      tf.dispose([x, f]);
    }
  });
});
