import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { sameBitsThroughout } from '../../../../src/core/compiled/constantKernels';
import { ARITH_TOL, expectSameAsTfjs, useCpuBackend } from './compiledCheck';

/**
 * A constant the trace captured becomes one literal when all its elements have the same bits
 * (loopFuser.placementOf): signed zeros and NaN payloads tell elements apart, and a view reads its own
 * elements, not its buffer's.
 */
describe('constants that are one literal', () => {
  useCpuBackend();

  it('holds only when every element has the first one\'s bits', () => {
    assert.equal(sameBitsThroughout(new Float32Array(0)), false);
    assert.equal(sameBitsThroughout(new Float32Array([2.5])), true);
    assert.equal(sameBitsThroughout(new Float32Array(100_000).fill(1)), true);
    assert.equal(sameBitsThroughout(new Float32Array([NaN, NaN, NaN])), true);
    assert.equal(sameBitsThroughout(new Float32Array([0, 0, -0])), false);
    const last = new Float32Array(100_000).fill(3);
    last[last.length - 1] = 3.0000002;
    assert.equal(sameBitsThroughout(last), false);
    const buffer = new Float32Array([7, 1, 1, 1, 9]);
    assert.equal(sameBitsThroughout(buffer.subarray(1, 4)), true);
    assert.equal(sameBitsThroughout(buffer.subarray(1, 5)), false);
  });

  it('compiles uniform and non-uniform constants of a trace to TensorFlow.js\'s values', () => {
    const ones = new Float32Array(24).fill(1);
    const almost = ones.slice();
    almost[23] = 2;
    expectSameAsTfjs(
      (x) => [tf.mul(x, tf.tensor(ones, [4, 6])), tf.mul(x, tf.tensor(almost, [4, 6]))],
      [{ values: Array.from({ length: 24 }, (_, i) => (i === 5 ? 0 : i - 3.5)), shape: [4, 6] }],
      ARITH_TOL,
      'uniform and non-uniform constants',
    );
  });
});
