import { strict as assert } from 'node:assert';
import { blockSquares, dotArrays, stepSquares } from '../../../src/core/blockNorms';
import { stepDiagnosticsStride } from '../../../src/protocol/stepDiagnostics';

const blocks = [{ name: 'w', offset: 0, size: 2 }, { name: 'b', offset: 2, size: 3 }];

describe('per-tensor squared norms (blockNorms)', () => {
  it('blockSquares sums each block and copies in the same pass', () => {
    const v = Float32Array.from([3, 4, 1, 2, 2]);
    const out = new Float64Array(2);
    const copy = new Float32Array(5);
    blockSquares(v, blocks, out, copy);
    assert.deepEqual(Array.from(out), [25, 9]);
    assert.deepEqual(Array.from(copy), [3, 4, 1, 2, 2]);
  });

  it('stepSquares: ‖θ‖², ‖Δθ‖² per block, g·d, the step written out and the end kept', () => {
    const before = Float32Array.from([1, 1, 0, 2, -1]);
    const after = Float32Array.from([0, 3, 0, 2, 1]);
    const grad = Float32Array.from([1, 0, 5, 5, 1]);
    const params = new Float64Array(2);
    const updates = new Float64Array(2);
    const step = new Float32Array(5);
    const dot = stepSquares(before, after, blocks, { params, updates, grad, step, keepAfter: true });
    assert.deepEqual(Array.from(params), [2, 5]);
    assert.deepEqual(Array.from(updates), [5, 4]);
    // d = (−1, 2, 0, 0, 2): g·d = −1 + 0 + 0 + 0 + 2.
    assert.equal(dot, 1);
    assert.deepEqual(Array.from(step), [-1, 2, 0, 0, 2]);
    assert.deepEqual(Array.from(before), Array.from(after));
    assert.equal(dotArrays(grad, step), 1);
  });

  it('stride: every step up to 1000 steps, then ⌈steps/1000⌉', () => {
    assert.equal(stepDiagnosticsStride(200), 1);
    assert.equal(stepDiagnosticsStride(1000), 1);
    assert.equal(stepDiagnosticsStride(1001), 2);
    assert.equal(stepDiagnosticsStride(25_000), 25);
  });
});
