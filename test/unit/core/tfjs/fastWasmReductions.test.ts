import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { leadingSplit } from '../../../../src/core/tfjs/fastWasmReductions';
import { selectBackend } from '../../../../src/runner/backend';

/**
 * The wasm backend's Sum and Mean over leading axes (src/core/tfjs/fastWasmReductions.ts): bit for bit the
 * stock kernels' float32 sums (row after row, one rounding per addition, written here from the definition),
 * and near the cpu backend's (which sums in float64); the cases the stock kernels keep, near the cpu's too.
 */
type Case = { shape: number[]; axis: number | number[]; keepDims?: boolean; dtype?: 'float32' | 'int32'; leading: boolean };

const CASES: Case[] = [
  { shape: [32, 8, 8, 32], axis: [0, 1, 2], leading: true },
  { shape: [6, 5, 16], axis: [0, 1], keepDims: true, leading: true },
  { shape: [4, 1, 3, 20], axis: [0, 2], leading: true },
  { shape: [7, 3, 17], axis: -3, leading: true },
  { shape: [9, 4, 8], axis: [0], keepDims: true, leading: true },
  { shape: [1, 20], axis: 0, leading: true },
  { shape: [3, 1, 1, 16], axis: [-4, -2], leading: true },
  // Kept by the stock kernels: an inner axis reduced, few kept numbers, a full reduction, int32.
  { shape: [16, 5, 18], axis: 1, leading: false },
  { shape: [40, 10], axis: 0, leading: false },
  { shape: [12, 20], axis: [0, 1], leading: false },
  { shape: [20, 17], axis: 0, dtype: 'int32', leading: false },
];

/** Mixed signs and magnitudes, so that float32 and float64 sums part; a −0 among them. */
const valuesOf = (c: Case) => Array.from({ length: c.shape.reduce((a, b) => a * b, 1) }, (_, i) =>
  c.dtype === 'int32' ? (i * 7919) % 1001 - 500 : i === 3 ? -0 : Math.sin(i * 1.3) * 10 ** ((i % 7) - 3));

/** The stock kernels' numbers: x as [rows, cols] (leading cases only), columns summed in row order in float32. */
function reference(c: Case, mean: boolean): Float32Array {
  const split = leadingSplit(c.shape, tf.util.parseAxisParam(c.axis, c.shape));
  assert.ok(split, `${JSON.stringify(c)} is a leading reduction`);
  const x = Float32Array.from(valuesOf(c));
  const sums = new Float32Array(split.cols);
  for (let r = 0; r < split.rows; r++) for (let k = 0; k < split.cols; k++) sums[k] += x[r * split.cols + k];
  return mean ? sums.map((s) => s / split.rows) : sums;
}

function reduce(c: Case, mean: boolean): { shape: number[]; dtype: string; values: Float32Array } {
  return tf.tidy(() => {
    const x = tf.tensor(valuesOf(c), c.shape, c.dtype ?? 'float32');
    const y = mean ? tf.mean(x, c.axis, c.keepDims) : tf.sum(x, c.axis, c.keepDims);
    return { shape: y.shape, dtype: y.dtype, values: Float32Array.from(y.dataSync()) };
  });
}

describe('wasm Sum and Mean over leading axes', () => {
  for (const mean of [false, true]) {
    it(`${mean ? 'Mean' : 'Sum'}: the stock kernel's float32 sums bit for bit, near the cpu backend's, every case, leaving no tensor behind`, async () => {
      await selectBackend('cpu');
      const expected = CASES.map((c) => reduce(c, mean));
      await selectBackend('wasm');
      const before = tf.memory().numTensors;
      CASES.forEach((c, k) => {
        const got = reduce(c, mean);
        assert.deepEqual(got.shape, expected[k].shape, `case ${k} shape`);
        assert.equal(got.dtype, expected[k].dtype, `case ${k} dtype`);
        // A float32 sum of n numbers may stray by about n roundings of the largest of them from the float64 one.
        const n = valuesOf(c).length / got.values.length;
        const tolerance = 1.2e-7 * n * Math.max(...valuesOf(c).map(Math.abs)) / (mean ? n : 1);
        got.values.forEach((v, i) => assert.ok(Math.abs(v - expected[k].values[i]) <= tolerance, `case ${k} [${i}]: ${v} vs cpu ${expected[k].values[i]}`));
        if (!c.leading) return;
        const exact = reference(c, mean);
        got.values.forEach((v, i) => assert.ok(Object.is(v, exact[i]), `case ${k} [${i}]: ${v} vs float32 in row order ${exact[i]}`));
      });
      assert.equal(tf.memory().numTensors, before, 'tensors leaked');
    });
  }

  it('splits only reductions whose reduced axes all come before the kept ones (size-1 axes aside)', () => {
    assert.deepEqual(leadingSplit([4, 1, 3, 20], [0, 2]), { rows: 12, cols: 20, kept: [1, 20], keptDims: [1, 1, 1, 20] });
    assert.equal(leadingSplit([16, 5, 18], [1]), undefined);
    assert.equal(leadingSplit([2, 3, 4], [0, 2]), undefined);
    assert.deepEqual(leadingSplit([2, 3], []), { rows: 1, cols: 6, kept: [2, 3], keptDims: [2, 3] });
  });
});
