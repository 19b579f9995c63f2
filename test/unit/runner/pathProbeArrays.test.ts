import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import type { ArrayObjective } from '../../../src/core/arrays/contracts';
import { timedPaths } from '../../../src/runner/arrayPath';
import type { Batch } from '../../../src/runner/dataset';

/**
 * The pre-run timing probe on the run's arrays (arrayPath.ts timedPaths): every compiled evaluation
 * writes into the one gradient array it is given (the run's spare) at the run's x0, and every tensor
 * evaluation reads the same tensor of x0 and of the batch, made once for the probe and freed after it.
 * Identity, not timing: the probe's figures are not asserted.
 */
const N = 2_000;
const x0 = Float32Array.from({ length: N }, (_, i) => Math.sin(i));

describe('path probe on the run\'s arrays (no full-length array per evaluation)', () => {
  before(async () => {
    await tf.setBackend('cpu');
    await tf.ready();
  });

  it('reuses the spare gradient, x0, and one tensor of x0 and of the batch for every evaluation', () => {
    const before = tf.memory().numTensors;
    const spare = new Float32Array(N);
    const compiledCalls: { x: Float32Array; grad: Float32Array }[] = [];
    const objective: ArrayObjective = {
      size: N,
      valueAndGrad(x, _step, grad) {
        compiledCalls.push({ x, grad });
        for (let i = 0; i < N; i++) grad[i] = 2 * x[i];
        return 0;
      },
    };
    const xsSeen: tf.Tensor[] = [];
    const batchesSeen: (Batch | undefined)[] = [];
    let current: Batch | undefined;
    const f = (x: tf.Tensor1D): tf.Scalar => {
      xsSeen.push(x);
      return x.square().sum().mul((current as tf.Tensor).sum());
    };
    const inputs = [{ values: Float32Array.from([1, 2, 3, 4]), shape: [2, 2] }];
    const probe = timedPaths({ x0, f, setBatch: (b) => {
      if (b) batchesSeen.push(b);
      current = b;
    } }, objective, inputs, (tensors) => tensors[0], spare, tf);
    assert.ok(compiledCalls.length >= 2, 'the compiled form was evaluated (warm-up and a sample)');
    assert.ok(compiledCalls.every((c) => c.grad === spare && c.x === x0), 'every compiled evaluation on the run\'s x0 and spare');
    assert.equal(spare[1], 2 * x0[1]);
    assert.ok(xsSeen.length >= 2 && batchesSeen.length === xsSeen.length);
    assert.ok(xsSeen.every((x) => x === xsSeen[0]), 'one tensor of x0 for every tensor evaluation');
    assert.ok(batchesSeen.every((b) => b === batchesSeen[0]), 'one batch tensor for every tensor evaluation');
    assert.ok(xsSeen[0].isDisposed, 'x0\'s tensor is freed after the probe');
    assert.equal(tf.memory().numTensors, before, 'tensors leaked');
    assert.ok(Number.isFinite(probe.compiledMs) && Number.isFinite(probe.tensorsMs));
  });
});
