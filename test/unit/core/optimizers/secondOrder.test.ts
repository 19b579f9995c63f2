import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { evaluatorOf } from '../../../../src/core/evaluate';
import { hessianVectorProduct } from '../../../../src/core/curvature/hvp';
import type { HpRecord } from '../../../../src/core/hyperparams';
import { minimize } from '../../../../src/core/minimize';
import { SECOND_ORDER } from '../../../../src/core/optimizers/secondOrder';
import { createOptimizer, optimizerFactory } from '../../../../src/core/optimizers/registry';
import { constantSchedule } from '../../../../src/core/schedule';
import { forEachBackend } from '../../helpers/backends';
import { rosenbrockObjective, runSecondOrder } from '../../helpers/runSecondOrder';

const VARIANTS: readonly [string, HpRecord, number][] = [
  ['lbfgs', {}, 0.1],
  ['lbfgs', { line_search_fn: 'strong_wolfe', history_size: 5 }, 1],
  ['newton', { damping: 1 }, 1],
  ['newton', { exact_threshold: 0, damping: 1 }, 1],
  ['gd-armijo', {}, 1],
  ['gd-exact', {}, 1e-3],
];

describe('line-search and second-order optimizers', () => {
  it('are registered with their ids and lr defaults', () => {
    assert.deepEqual(SECOND_ORDER.map((f) => f.id), ['lbfgs', 'newton', 'gd-armijo', 'gd-exact']);
    assert.equal(optimizerFactory('lbfgs').torchName, 'torch.optim.LBFGS');
    assert.ok(SECOND_ORDER.every((f) => f.defaultLr === 1));
  });

  forEachBackend(() => {
    for (const [id, hp, lr] of VARIANTS) {
      it(`${id} ${JSON.stringify(hp)}: runs in the training loop, lowers the loss, counts its evaluations, leaks nothing`, async () => {
        const before = tf.memory().numTensors;
        const x0 = tf.tensor1d([-1.2, 1, -1.2, 1]);
        let extra = 0;
        const optimizer = createOptimizer(id, hp);
        const update = optimizer.update.bind(optimizer);
        const counted = { ...optimizer, update: (i: Parameters<typeof update>[0], s: Parameters<typeof update>[1]) => {
          const r = update(i, s);
          extra += r.extraEvals;
          return r;
        } };
        const evaluate = evaluatorOf(rosenbrockObjective);
        const result = await minimize({
          evaluate: (x) => evaluate(x),
          hvp: (x, v) => hessianVectorProduct(rosenbrockObjective, x, v),
          x0,
          optimizer: counted,
          schedule: constantSchedule(lr),
          steps: 60,
        });
        assert.equal(result.status, 'completed');
        assert.ok(result.final.loss < 0.5 * 48.4, `${id}: final loss ${result.final.loss}`);
        // One evaluation per step, the optimizer's extra ones, and the final measurement.
        assert.equal(result.evals, 60 + extra + 1);
        result.params.dispose();
        x0.dispose();
        assert.equal(tf.memory().numTensors, before);
      });

      it(`${id} ${JSON.stringify(hp)}: stays put and finite at a zero gradient`, () => {
        // ½|x − c|² started at its minimiser c.
        const bowl = (x: tf.Tensor1D): tf.Scalar =>
          tf.tidy(() => tf.mul(tf.sum(tf.square(tf.sub(x, tf.tensor1d([0.5, -1])))), 0.5) as tf.Scalar);
        const { xs } = runSecondOrder(createOptimizer(id, hp), bowl, [0.5, -1], lr, 3);
        for (const x of xs) assert.deepEqual(x, [0.5, -1]);
      });
    }
  });
});
