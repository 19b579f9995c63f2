import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../../src/runner/backend';
import { isReplacedWasmKernel } from '../../../../src/core/tfjs/wasmKernelSwap';

/**
 * The wasm backend's Multiply, Add, Sub and RealDiv of a tensor and a row it broadcasts along its last axis
 * (src/core/tfjs/fastWasmBroadcast.ts) against the cpu backend's, bit for bit: each element is one float32
 * operation on both. Special values in both operands; rows of 16, 10 and 5 (float32x4 steps and the columns
 * left over), given as [C] or [1, …, 1, C], on either side.
 */
const SPECIAL = [0, -0, 1, -1, 3, 0.1, 1e-40, -1e-40, 3e38, -3e38, Infinity, -Infinity, NaN, 1e-20, 7.5, -2.25];
const value = (i: number, seed: number) => (i % 5 === 0 ? SPECIAL[(i * 7 + seed) % SPECIAL.length] : Math.sin(i * 1.3 + seed) * 10 ** ((i % 9) - 4));

const CASES: { full: number[]; row: number[] }[] = [
  { full: [32, 4, 4, 16], row: [16] },
  { full: [8, 6, 16], row: [1, 1, 16] },
  { full: [7, 10], row: [10] },
  { full: [3, 2, 5], row: [1, 1, 5] },
  { full: [9, 4], row: [4] },
  { full: [1, 12], row: [12] },
  { full: [16], row: [1, 1, 16] },
];
const OPS = [tf.mul, tf.add, tf.sub, tf.div] as const;

const results = () => CASES.flatMap(({ full, row }, k) => tf.tidy(() => {
  const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
  const x = tf.tensor(Array.from({ length: size(full) }, (_, i) => value(i, k)), full);
  const v = tf.tensor(Array.from({ length: size(row) }, (_, i) => value(i + 3, k + 1)), row);
  return OPS.flatMap((op) => [op(x, v), op(v, x)].map((y) => ({ shape: y.shape, values: Array.from(y.dataSync()) })));
}));

describe('wasm Multiply, Add, Sub and RealDiv of a tensor and a broadcast row', () => {
  it("gives the cpu backend's bits for every operation, either order, rows of 16, 10 and 5 and special values, leaving no tensor behind", async () => {
    await selectBackend('cpu');
    const expected = results();
    await selectBackend('wasm');
    for (const kernel of ['Multiply', 'Add', 'Sub', 'RealDiv']) assert.ok(isReplacedWasmKernel(kernel), `${kernel} is replaced`);
    const before = tf.memory().numTensors;
    const actual = results();
    assert.equal(tf.memory().numTensors, before, 'tensors leaked');
    actual.forEach((r, k) => {
      assert.deepEqual(r.shape, expected[k].shape, `case ${k}: shape`);
      r.values.forEach((got, i) => assert.ok(Object.is(got, expected[k].values[i]) || (Number.isNaN(got) && Number.isNaN(expected[k].values[i])), `case ${k}[${i}]: ${got} against ${expected[k].values[i]}`));
    });
  });
});
