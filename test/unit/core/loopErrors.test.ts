import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import type { ArrayOptimizer } from '../../../src/core/arrays/contracts';
import { minimizeArrays } from '../../../src/core/arrays/minimizeArrays';
import { evaluatorOf } from '../../../src/core/evaluate';
import { minimize } from '../../../src/core/minimize';
import type { StepMetrics } from '../../../src/core/loopRecords';
import type { Optimizer, OptimizerState } from '../../../src/core/optimizer';
import { constantSchedule } from '../../../src/core/schedule';

/**
 * Earlier results survive every error: when an update (a user's optimizer rule) or the objective
 * throws at step k, both training loops hand over the records of steps 0..k−1 before the error
 * propagates. A long flush interval makes sure nothing was flushed on time before the throw.
 */
const THROW_AT = 3;
const quadratic = evaluatorOf((x) => tf.sum(tf.square(x)).mul(0.5) as tf.Scalar);

/** x ← x − lr·g, throwing in update `throwAt`. */
const gd = (throwAt?: number): Optimizer<OptimizerState> => ({
  id: 'gd',
  hp: {},
  init: () => ({}),
  update: ({ params, grad, lr, step }, state) => {
    if (step === throwAt) throw new Error('update exploded');
    return { params: tf.tidy(() => params.sub(grad.mul(lr))) as tf.Tensor1D, state, extraEvals: 0 };
  },
  disposeState: () => undefined,
});

const arrayGdThatThrows: ArrayOptimizer = {
  init: () => undefined,
  update: ({ params, paramsOut, grad, lr, step }) => {
    if (step === THROW_AT) throw new Error('update exploded');
    let updateNormSq = 0;
    for (let i = 0; i < params.length; i++) {
      paramsOut[i] = params[i] - lr * grad[i];
      updateNormSq += (paramsOut[i] - params[i]) ** 2;
    }
    return { updateNormSq, extraEvals: 0 };
  },
};

describe('training loops: an error mid-run keeps the records before it', () => {
  it('minimize (tensors): an update that throws at step 3 has reported steps 0..2 (the caller\'s scope ends clean)', async () => {
    const seen: StepMetrics[] = [];
    const x0 = tf.tensor1d([2, -4]);
    const before = tf.memory().numTensors;
    tf.engine().startScope();
    await assert.rejects(
      minimize({ evaluate: quadratic, x0, optimizer: gd(THROW_AT), schedule: constantSchedule(0.5), steps: 10, flushIntervalMs: 60_000, onMetrics: (b) => seen.push(...b) }),
      /update exploded/,
    );
    tf.engine().endScope();
    // x_{k+1} = x_k / 2 from (2, −4): losses 10, 2.5, 0.625.
    assert.deepEqual(seen.map((s) => [s.step, s.loss]), [[0, 10], [1, 2.5], [2, 0.625]]);
    assert.equal(tf.memory().numTensors, before);
    x0.dispose();
  });

  it('minimize (tensors): an objective that throws at step 3 has reported steps 0..2', async () => {
    const seen: StepMetrics[] = [];
    const x0 = tf.tensor1d([2, -4]);
    tf.engine().startScope();
    await assert.rejects(
      minimize({
        evaluate: (x, step) => {
          if (step === THROW_AT) throw new Error('objective exploded');
          return quadratic(x);
        },
        x0, optimizer: gd(), schedule: constantSchedule(0.5), steps: 10, flushIntervalMs: 60_000, onMetrics: (b) => seen.push(...b),
      }),
      /objective exploded/,
    );
    tf.engine().endScope();
    assert.deepEqual(seen.map((s) => s.step), [0, 1, 2]);
    x0.dispose();
  });

  it('minimizeArrays: an update that throws at step 3 has reported steps 0..2', async () => {
    const seen: StepMetrics[] = [];
    await assert.rejects(
      minimizeArrays({
        objective: {
          size: 2,
          valueAndGrad: (x, _step, g) => {
            g.set(x);
            return 0.5 * (x[0] * x[0] + x[1] * x[1]);
          },
        },
        x0: Float32Array.from([2, -4]), optimizer: arrayGdThatThrows, schedule: constantSchedule(0.5), steps: 10,
        flushIntervalMs: 60_000, onMetrics: (b) => seen.push(...b),
      }),
      /update exploded/,
    );
    assert.deepEqual(seen.map((s) => [s.step, s.loss]), [[0, 10], [1, 2.5], [2, 0.625]]);
  });
});
