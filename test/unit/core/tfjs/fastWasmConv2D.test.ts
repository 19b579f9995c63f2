import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { heapMemoryOf } from '../../../../src/core/tfjs/wasmHeapMemory';
import { selectBackend } from '../../../../src/runner/backend';
import { isReplacedWasmKernel } from '../../../../src/core/tfjs/wasmKernelSwap';
import { assertNearBackend } from '../../helpers/backends';

/**
 * The wasm backend's conv2d as our im2col and product on the backend's heap (src/core/tfjs/fastWasmConv2D.ts)
 * against the cpu backend's kernel, over strides, paddings, channel counts (ragged and 16-wide outputs) and
 * batches; where the kernel's allocations grow the heap; and the cases it leaves to the stock kernel
 * (dilations, NCHW, int32), with no tensor left behind.
 */
type Case = { x: [number, number, number, number]; f: [number, number, number, number]; strides: number | [number, number]; pad: 'same' | 'valid' | number; dilations?: number };

const CASES: Case[] = [
  { x: [2, 7, 6, 1], f: [3, 3, 1, 4], strides: 1, pad: 'same' },
  { x: [3, 8, 8, 5], f: [3, 3, 5, 6], strides: 2, pad: 'same' },
  { x: [2, 9, 7, 3], f: [2, 3, 3, 2], strides: [2, 1], pad: 'valid' },
  { x: [1, 6, 6, 4], f: [3, 3, 4, 10], strides: 1, pad: 1 },
  { x: [2, 5, 5, 2], f: [5, 5, 2, 3], strides: 1, pad: 'same' },
  // The bench CNN's layers in small: one channel into 16, 16 into 32 at stride 2.
  { x: [2, 8, 8, 1], f: [3, 3, 1, 16], strides: 1, pad: 'same' },
  { x: [2, 6, 6, 16], f: [3, 3, 16, 32], strides: 2, pad: 'same' },
  { x: [1, 8, 7, 3], f: [3, 2, 3, 17], strides: [3, 2], pad: 'valid' },
  // Dilated: the stock kernel's (our im2col is not asked for dilations).
  { x: [2, 9, 9, 3], f: [3, 3, 3, 5], strides: 1, pad: 'same', dilations: 2 },
];

function valuesOf(shape: number[], seed: number): Float32Array {
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = Math.sin(seed + i * 0.61) * 1.5;
  return values;
}

function conv(c: Case): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor4d(valuesOf(c.x, 1), c.x);
    const f = tf.tensor4d(valuesOf(c.f, 2), c.f);
    return Float32Array.from(tf.conv2d(x, f, c.strides, c.pad, 'NHWC', c.dilations ?? 1).dataSync());
  });
}

describe('wasm conv2d as our im2col and product on the backend\'s heap', () => {
  it('equals the cpu backend\'s conv2d over strides, paddings, channels and dilations, leaving no tensor behind', async () => {
    await selectBackend('cpu');
    const expected = CASES.map(conv);
    await selectBackend('wasm');
    assert.ok(isReplacedWasmKernel('Conv2D'));
    const before = tf.memory().numTensors;
    CASES.forEach((c, k) => assertNearBackend(conv(c), expected[k], `case ${k}`));
    assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  });

  it('gives the cpu backend\'s values where its allocations grow the heap', async () => {
    await selectBackend('wasm');
    const memory = heapMemoryOf(tf.backend());
    assert.ok(memory, 'the backend\'s heap is found');
    // The patches (3 × 3 × 8 taps per pixel) take more than the whole heap now holds.
    const heap = memory.buffer.byteLength;
    const c: Case = { x: [Math.ceil(heap / (12 * 12 * 72 * 4)) + 1, 12, 12, 8], f: [3, 3, 8, 20], strides: 1, pad: 'same' };
    await selectBackend('cpu');
    const expected = conv(c);
    await selectBackend('wasm');
    const before = tf.memory().numTensors;
    const [x, f] = [tf.tensor4d(valuesOf(c.x, 1), c.x), tf.tensor4d(valuesOf(c.f, 2), c.f)];
    const bytes = memory.buffer.byteLength;
    const y = tf.conv2d(x, f, c.strides, c.pad);
    assert.ok(memory.buffer.byteLength > bytes, `the heap grew in the kernel (${bytes} bytes before)`);
    assertNearBackend(y.dataSync() as Float32Array, expected, 'grown');
    tf.dispose([x, f, y]);
    assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  });

  it('leaves NCHW and int32 to the stock kernel', async () => {
    await selectBackend('wasm');
    const before = tf.memory().numTensors;
    const x = tf.tensor4d(valuesOf([1, 2, 5, 5], 1), [1, 2, 5, 5]);
    const f = tf.tensor4d(valuesOf([3, 3, 2, 4], 2), [3, 3, 2, 4]);
    // The stock kernel's own refusal: ours would have read the NCHW image as NHWC.
    assert.throws(() => tf.conv2d(x, f, 1, 'same', 'NCHW'), /does not support dataFormat/);
    const [xi, fi] = [tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1], 'int32'), tf.tensor4d([1, 2, 3, 4], [2, 2, 1, 1], 'int32')];
    const y = tf.engine().runKernel('Conv2D', { x: xi, filter: fi }, { strides: 1, pad: 'valid', dataFormat: 'NHWC', dilations: 1 } as unknown as tf.NamedAttrMap) as tf.Tensor;
    assert.deepEqual(y.shape, [1, 1, 1, 1]);
    tf.dispose([x, f, xi, fi, y]);
    assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  });
});
