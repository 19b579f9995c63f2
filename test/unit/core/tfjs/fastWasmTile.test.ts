import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../../src/runner/backend';
import { isReplacedWasmKernel } from '../../../../src/core/tfjs/wasmKernelSwap';

/** The wasm backend's Tile by rows (src/core/tfjs/fastWasmTile.ts) against the cpu backend's, every dtype it takes. */
const CASES: { shape: number[]; reps: number[]; dtype: 'float32' | 'int32' | 'bool' }[] = [
  { shape: [1, 1, 1, 8], reps: [32, 12, 12, 1], dtype: 'float32' },
  { shape: [2, 3], reps: [3, 4], dtype: 'float32' },
  { shape: [5], reps: [3], dtype: 'int32' },
  { shape: [2, 1, 3], reps: [1, 4, 2], dtype: 'float32' },
  { shape: [3, 2, 2, 1], reps: [2, 1, 3, 5], dtype: 'bool' },
  { shape: [2, 3], reps: [0, 2], dtype: 'float32' },
  // Leading length-1 axes: the rest tiled once, then repeated (one, several, all of x's axes; empty outputs).
  { shape: [1, 2, 3], reps: [4, 2, 1], dtype: 'float32' },
  { shape: [1, 3, 1, 2], reps: [5, 1, 2, 3], dtype: 'int32' },
  { shape: [1, 1], reps: [3, 5], dtype: 'bool' },
  { shape: [1, 1, 1, 5], reps: [3, 7, 2, 2], dtype: 'float32' },
  { shape: [1, 4], reps: [0, 2], dtype: 'float32' },
  { shape: [1, 1, 7], reps: [3, 1, 0], dtype: 'float32' },
];

const tiled = () => CASES.map((c) => tf.tidy(() => {
  const size = c.shape.reduce((a, b) => a * b, 1);
  const x = tf.tensor(Array.from({ length: size }, (_, i) => (c.dtype === 'bool' ? Number(i % 3 === 0) : Math.sin(i) * 10)), c.shape, c.dtype);
  const y = tf.tile(x, c.reps);
  return { shape: y.shape, values: Array.from(y.dataSync()) };
}));

describe('wasm Tile by rows', () => {
  it("equals the cpu backend's tile for float32, int32 and bool, broadcast axes, leading length-1 axes and zero reps, leaving no tensor behind", async () => {
    await selectBackend('cpu');
    const expected = tiled();
    await selectBackend('wasm');
    assert.ok(isReplacedWasmKernel('Tile'), 'the row kernel is installed');
    const before = tf.memory().numTensors;
    assert.deepEqual(tiled(), expected);
    assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  });
});
