import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { clipByGlobalNormInPlace } from '../../../../src/core/arrays/clipGradients';
import { clipByGlobalNorm } from '../../../../src/core/gradientTransforms';
import { selectBackend } from '../../../../src/runner/backend';

/** The tensor version's result, read back. */
function clippedOnTensors(grad: readonly number[], maxNorm: number): number[] {
  const before = tf.memory().numTensors;
  const g = tf.tensor1d(grad as number[]);
  const clipped = clipByGlobalNorm(g, maxNorm);
  const values = Array.from(clipped.dataSync());
  tf.dispose([g, clipped]);
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  return values;
}

function clippedOnArrays(grad: readonly number[], maxNorm: number): number[] {
  const g = Float32Array.from(grad);
  clipByGlobalNormInPlace(g, maxNorm);
  return Array.from(g);
}

/** Deterministic values spanning several decades, both signs. */
function spread(n: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32 - 0.5) * 10 ** ((s % 7) - 3);
  });
}

const norm = (v: readonly number[]) => Math.sqrt(v.reduce((sum, x) => sum + x * x, 0));

describe('clipByGlobalNormInPlace', () => {
  before(async () => {
    // The tensor version on cpu is the reference whose float32 rounding the array version repeats.
    const choice = await selectBackend('cpu');
    assert.equal(choice.backend, 'cpu');
  });

  const cases: [string, number[], number][] = [
    ['above the limit', [3, 4], 1],
    ['within the limit', [0.3, -0.4], 1],
    ['huge entries (the plain sum of squares would overflow)', [1e30, -1e30, 0], 2],
    ['tiny entries (the plain sum of squares would underflow)', [1e-30, -3e-30, 2e-30], 1e-31],
    ['a zero gradient', [0, 0, 0], 1],
    ['a zero gradient and max_norm 0', [0, -0, 0], 0],
    ['max_norm 0', [1, -2, 3], 0],
    ['max_norm equal to the norm', [1, 2, 2], 3],
    ['an infinite entry (NaN, as the tensor version gives)', [Infinity, 1], 1],
    ['a NaN entry', [1, NaN, 2], 1],
    ['1000 entries over six decades', spread(1000, 42), 0.5],
    ['1000 entries, a large limit', spread(1000, 7), 1e6],
  ];
  for (const [name, grad, maxNorm] of cases) {
    it(`equals the tensor version on cpu to the last bit: ${name}`, () => {
      assert.deepEqual(clippedOnArrays(grad, maxNorm), clippedOnTensors(grad, maxNorm));
    });
  }

  it('brings a long gradient to max_norm and keeps its direction', () => {
    const grad = spread(1000, 42);
    const clipped = clippedOnArrays(grad, 0.5);
    assert.ok(Math.abs(norm(clipped) - 0.5) <= 1e-6, `norm ${norm(clipped)}`);
    const scale = clipped[0] / Math.fround(grad[0]);
    clipped.forEach((c, i) => assert.ok(Math.abs(c - scale * Math.fround(grad[i])) <= 1e-6 * Math.abs(c) + 1e-30, `entry ${i}`));
  });

  it('rejects a negative or non-finite max_norm, as the tensor version does', () => {
    assert.throws(() => clipByGlobalNormInPlace(new Float32Array([1]), -1), /max_norm/);
    assert.throws(() => clipByGlobalNormInPlace(new Float32Array([1]), Infinity), /max_norm/);
    assert.throws(() => clipByGlobalNormInPlace(new Float32Array([1]), NaN), /max_norm/);
  });

  it('leaves an empty gradient alone', () => {
    const empty = new Float32Array(0);
    clipByGlobalNormInPlace(empty, 1);
    assert.equal(empty.length, 0);
  });
});
