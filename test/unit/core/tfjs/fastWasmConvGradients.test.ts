import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { geometryOfInfo, PATCH_KERNELS } from '../../../../src/core/compiled/convKernels';
import { heapMemoryOf } from '../../../../src/core/tfjs/wasmHeapMemory';
import { selectBackend } from '../../../../src/runner/backend';
import { isReplacedWasmKernel } from '../../../../src/core/tfjs/wasmKernelSwap';
import { assertNearBackend } from '../../helpers/backends';

/**
 * The wasm backend's conv2d gradients as the backend's product with im2col (filter) or col2im (input)
 * (src/core/tfjs/fastWasmConvGradients.ts) against the cpu backend's kernels, over strides, paddings
 * (explicit, 'same' with odd and even totals, 'valid' with a remainder), channel counts and a batch; and
 * bit for bit against the JS gathers (col2im, im2col) around the registered product (our
 * kernel on the heap, fastWasmMatMul.ts: the filter gradient's transposed read of the patches sums as the
 * product of the transposed copy does), also when the kernel's allocations grow the heap.
 */
type Case = { x: [number, number, number, number]; f: [number, number, number, number]; strides: number | [number, number]; pad: 'same' | 'valid' | number };

const CASES: Case[] = [
  { x: [2, 7, 6, 1], f: [3, 3, 1, 4], strides: 1, pad: 'same' },
  { x: [3, 8, 8, 5], f: [3, 3, 5, 6], strides: 2, pad: 'same' },
  { x: [2, 9, 7, 3], f: [2, 3, 3, 2], strides: [2, 1], pad: 'valid' },
  { x: [1, 6, 6, 4], f: [3, 3, 4, 8], strides: 1, pad: 1 },
  { x: [2, 5, 5, 2], f: [5, 5, 2, 3], strides: 1, pad: 'same' },
  // The bench's second layer in small: stride 2 with one pixel on every side, 16 channels (4-wide runs).
  { x: [2, 6, 6, 16], f: [3, 3, 16, 8], strides: 2, pad: 1 },
  // 'valid' leaving a row and a column unread; 'same' padding only the bottom and right.
  { x: [1, 8, 7, 3], f: [3, 2, 3, 5], strides: [3, 2], pad: 'valid' },
  { x: [2, 6, 6, 2], f: [2, 2, 2, 3], strides: 2, pad: 'same' },
];

function valuesOf(shape: number[], seed: number): Float32Array {
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = Math.sin(seed + i * 0.61) * 1.5;
  return values;
}

/** ∂/∂x and ∂/∂f of Σ conv(x, f) · w (w fixed), on the current backend. */
function gradients(c: Case): { dx: Float32Array; df: Float32Array } {
  return tf.tidy(() => {
    const x = tf.tensor4d(valuesOf(c.x, 1), c.x);
    const f = tf.tensor4d(valuesOf(c.f, 2), c.f);
    const weights = (y: tf.Tensor) => tf.tensor(valuesOf(y.shape, 3), y.shape);
    const [dx, df] = tf.grads((xx: tf.Tensor, ff: tf.Tensor) => {
      const y = tf.conv2d(xx as tf.Tensor4D, ff as tf.Tensor4D, c.strides, c.pad);
      return tf.sum(tf.mul(y, weights(y)));
    })([x, f]);
    return { dx: Float32Array.from(dx.dataSync()), df: Float32Array.from(df.dataSync()) };
  });
}

describe('wasm conv2d gradients as a product and a patch gather', () => {
  it('equal the cpu backend\'s gradients over strides, paddings and channels, leaving no tensor behind', async () => {
    await selectBackend('cpu');
    const expected = CASES.map(gradients);
    await selectBackend('wasm');
    // Installed (the kernels replaced are conv2DBackpropInput, the backend's, and conv2dBackpropFilter, wasmKernels.ts').
    assert.ok(isReplacedWasmKernel('Conv2DBackpropFilter') && isReplacedWasmKernel('Conv2DBackpropInput'));
    const before = tf.memory().numTensors;
    CASES.forEach((c, k) => {
      const got = gradients(c);
      assertNearBackend(got.df, expected[k].df, `case ${k} ∂/∂filter`);
      assertNearBackend(got.dx, expected[k].dx, `case ${k} ∂/∂x`);
    });
    assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  });

  it('gives the JS gathers\' bits around the backend\'s product, its WebAssembly gathers on the backend\'s heap, also where the kernel grows the heap', async () => {
    await selectBackend('wasm');
    const memory = heapMemoryOf(tf.backend());
    assert.ok(memory, 'the backend\'s heap is found');
    const probe = tf.zeros([4]);
    assert.equal((tf.backend() as unknown as { typedArrayFromHeap(t: tf.TensorInfo): Float32Array }).typedArrayFromHeap(probe).buffer, memory.buffer);
    probe.dispose();
    // Where the heap grows: the filter gradient's patches (stride 1, 3 × 3) take more than the whole heap now
    // holds; the input gradient's dx (1 × 1, stride 2: dx is 4 times its patches) 1.5 times it, past what the product grew.
    const heap = memory.buffer.byteLength;
    const growing: Record<'filter' | 'input', Case> = {
      filter: { x: [Math.ceil(heap / (16 * 16 * 72 * 4)) + 1, 16, 16, 8], f: [3, 3, 8, 4], strides: 1, pad: 'same' },
      input: { x: [Math.ceil((1.5 * heap) / (32 * 32 * 8 * 4)) + 1, 32, 32, 8], f: [1, 1, 8, 4], strides: 2, pad: 'valid' },
    };
    const before = tf.memory().numTensors;
    [...CASES, growing.filter, growing.input].forEach((c, k) => {
      const [x, f] = [tf.tensor4d(valuesOf(c.x, 1), c.x), tf.tensor4d(valuesOf(c.f, 2), c.f)];
      const info = tf.backend_util.computeConv2DInfo(c.x, c.f, c.strides, 1, c.pad, undefined, false, 'channelsLast');
      const dy = tf.tensor4d(valuesOf([info.batchSize, info.outHeight, info.outWidth, info.outChannels], 3), [info.batchSize, info.outHeight, info.outWidth, info.outChannels]);
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC' };
      const grown = (kernel: () => tf.Tensor, grows: boolean, what: string) => {
        const bytes = memory.buffer.byteLength;
        const result = kernel();
        if (grows) assert.ok(memory.buffer.byteLength > bytes, `the heap grew in the ${what} gradient (${bytes} bytes before)`);
        return result;
      };
      const df = grown(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: c.f } as unknown as tf.NamedAttrMap) as tf.Tensor, c === growing.filter, 'filter');
      const dx = grown(() => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: f }, { ...attrs, inputShape: c.x } as unknown as tf.NamedAttrMap) as tf.Tensor, c === growing.input, 'input');
      const expected = jsGathers(x, f, dy, info);
      assertSameBits(df.dataSync() as Float32Array, expected.df, `case ${k} ∂/∂filter`);
      assertSameBits(dx.dataSync() as Float32Array, expected.dx, `case ${k} ∂/∂x`);
      tf.dispose([x, f, dy, df, dx]);
    });
    assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  });
});

function assertSameBits(got: Float32Array, want: Float32Array, what: string): void {
  assert.equal(got.length, want.length, what);
  const [a, b] = [new Int32Array(got.buffer, got.byteOffset, got.length), new Int32Array(want.buffer, want.byteOffset, want.length)];
  const at = a.findIndex((v, i) => v !== b[i]);
  assert.equal(at, -1, `${what}[${at}]: ${got[at]} vs ${want[at]}`);
}

/** The gradients as the kernels computed them with the JS gathers: col2im(dy · Wᵀ), patchesᵀ · dy. */
function jsGathers(x: tf.Tensor, f: tf.Tensor, dy: tf.Tensor, info: tf.backend_util.Conv2DInfo): { dx: Float32Array; df: Float32Array } {
  const g = geometryOfInfo(info);
  const pixels = info.batchSize * info.outHeight * info.outWidth;
  const taps = info.filterHeight * info.filterWidth * info.inChannels;
  const dx = new Float32Array(x.size);
  const patches = new Float32Array(pixels * taps);
  let df: Float32Array = new Float32Array(0);
  // Nothing returned from tidy: it would walk every number of a typed array it is handed.
  tf.tidy(() => {
    const flatDy = tf.reshape(dy, [pixels, info.outChannels]);
    PATCH_KERNELS.col2im(tf.matMul(flatDy, tf.reshape(f, [taps, info.outChannels]), false, true).dataSync() as Float32Array, dx, g);
    PATCH_KERNELS.im2col(x.dataSync() as Float32Array, patches, g);
    df = tf.matMul(tf.tensor2d(patches, [pixels, taps]), flatDy, true, false).dataSync() as Float32Array;
  });
  return { dx, df };
}
