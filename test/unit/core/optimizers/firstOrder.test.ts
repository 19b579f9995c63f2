import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { evaluatorOf } from '../../../../src/core/evaluate';
import { HyperparameterError, type HpRecord } from '../../../../src/core/hyperparams';
import { minimize } from '../../../../src/core/minimize';
import { FIRST_ORDER } from '../../../../src/core/optimizers/firstOrder';
import { createOptimizer, optimizerFactory } from '../../../../src/core/optimizers/registry';
import { constantSchedule } from '../../../../src/core/schedule';
import { forEachBackend } from '../../helpers/backends';
import { stepOptimizer } from '../../helpers/stepOptimizer';

/** Every optimizer with its defaults, plus the variants that take other code paths. */
const VARIANTS: readonly [string, HpRecord][] = [
  ...FIRST_ORDER.map((f): [string, HpRecord] => [f.id, {}]),
  ['sgd', { momentum: 0.9, weight_decay: 0.01 }],
  ['sgd', { momentum: 0.9, nesterov: true }],
  ['adagrad', { eps: 0, lr_decay: 0.1 }],
  ['rmsprop', { centered: true, momentum: 0.9 }],
  ['rmsprop', { centered: true, eps: 0 }],
  ['adadelta', { eps: 0 }],
  ['adam', { amsgrad: true, eps: 0, weight_decay: 0.1 }],
  ['adamw', { amsgrad: true }],
  ['nadam', { eps: 0 }],
  ['adamax', { eps: 0 }],
  ['radam', { eps: 0, weight_decay: 0.1 }],
  ['rprop', { etas: [0.3, 2], step_sizes: [0, 1] }],
  ['asgd', { t0: 2, lambd: 0.1, weight_decay: 0.1 }],
];

const label = ([id, hp]: [string, HpRecord]) => `${id} ${JSON.stringify(hp)}`;

describe('first-order optimizers', () => {
  it('are registered with torch names and torch default learning rates', () => {
    const defaults = Object.fromEntries(FIRST_ORDER.map((f) => [f.id, f.defaultLr]));
    assert.deepEqual(defaults, { sgd: 1e-3, adagrad: 1e-2, rmsprop: 1e-2, adadelta: 1, adam: 1e-3, adamw: 1e-3, nadam: 2e-3, adamax: 2e-3, radam: 1e-3, rprop: 1e-2, asgd: 1e-2 });
    assert.equal(optimizerFactory('rmsprop').torchName, 'torch.optim.RMSprop');
    assert.deepEqual(createOptimizer('adamw').hp, { betas: [0.9, 0.999], eps: 1e-8, weight_decay: 1e-2, amsgrad: false });
  });

  it('reject unknown hyperparameters, listing the valid ones', () => {
    assert.throws(() => createOptimizer('adam', { beta1: 0.9 }), (e: Error) =>
      e instanceof HyperparameterError && /unknown hyperparameter 'beta1'/.test(e.message) && /betas, eps, weight_decay, amsgrad/.test(e.message));
    assert.throws(() => createOptimizer('sgd', { maximize: true }), /valid: momentum, dampening, weight_decay, nesterov/);
  });

  const outOfRange: readonly [string, HpRecord, string][] = [
    ['sgd', { momentum: -0.1 }, 'momentum'],
    ['sgd', { weight_decay: -1 }, 'weight_decay'],
    ['sgd', { nesterov: true }, 'nesterov'],
    ['sgd', { nesterov: true, momentum: 0.9, dampening: 0.1 }, 'nesterov'],
    ['adagrad', { lr_decay: -1 }, 'lr_decay'],
    ['adagrad', { initial_accumulator_value: -1 }, 'initial_accumulator_value'],
    ['adagrad', { eps: -1e-10 }, 'eps'],
    ['rmsprop', { alpha: -0.5 }, 'alpha'],
    ['rmsprop', { momentum: -1 }, 'momentum'],
    ['adadelta', { rho: 1.5 }, 'rho'],
    ['adam', { betas: [0.9, 1] }, 'betas'],
    ['adam', { betas: [-0.1, 0.999] }, 'betas'],
    ['adamw', { weight_decay: -0.01 }, 'weight_decay'],
    ['nadam', { momentum_decay: -1 }, 'momentum_decay'],
    ['adamax', { eps: -1 }, 'eps'],
    ['rprop', { etas: [0.5, 1] }, 'etas'],
    ['rprop', { step_sizes: [1, 0.5] }, 'step_sizes'],
    ['asgd', { lambd: -1 }, 'lambd'],
  ];
  for (const [id, hp, name] of outOfRange) {
    it(`reject ${id} ${JSON.stringify(hp)} naming ${name}`, () => {
      assert.throws(() => createOptimizer(id, hp), (e: Error) => e instanceof HyperparameterError && e.message.includes(name));
    });
  }

  it("accept torch's boundary values", () => {
    const boundary: [string, HpRecord][] = [['adadelta', { rho: 1 }], ['adam', { betas: [0, 0] }], ['sgd', { nesterov: true, momentum: 1e-3 }], ['adagrad', { eps: 0 }]];
    for (const [id, hp] of boundary) {
      assert.doesNotThrow(() => createOptimizer(id, hp));
    }
  });

  forEachBackend(() => {
    for (const variant of VARIANTS) {
      const [id, hp] = variant;
      it(`${label(variant)} keeps parameters finite on gradients of 0, ±1e-30, ±1e30 and mixes of them`, () => {
        const lr = optimizerFactory(id).defaultLr;
        const cases: ((k: number) => number[])[] = [
          () => [0, 0, 0],
          () => [1e-30, -1e-30, 1e-30],
          () => [1e30, -1e30, 1e30],
          () => [0, 1e-30, 1e30],
          // Switching magnitudes: large after tiny and tiny after large, per element.
          (k) => [[1e30, 0, 1e-30, 1][k % 4], [1e-30, 1e30, 0, -1][k % 4], [1, -1e30, 1e-30, 0][k % 4]],
        ];
        for (const grads of cases) {
          const path = stepOptimizer(createOptimizer(id, hp), [0.5, -1, 2], (_x, k) => grads(k), lr, 12);
          assert.ok(path.flat().every(Number.isFinite), `non-finite parameters for gradients ${JSON.stringify(grads(0))}…: ${JSON.stringify(path.at(-1))}`);
        }
      });

      it(`${label(variant)} allocates no net tensors from the second step on`, () => {
        const opt = createOptimizer(id, hp);
        const grad = tf.tensor1d([0.3, -0.2, 1]);
        const loss = tf.scalar(0);
        let x = tf.tensor1d([1, 2, 3]);
        let state = opt.init(x);
        const counts: number[] = [];
        for (let k = 0; k < 3; k++) {
          const r = opt.update({ params: x, loss, grad, lr: 0.01, step: k, evaluate: () => assert.fail(), hvp: () => assert.fail() }, state);
          x.dispose();
          x = r.params;
          state = r.state;
          counts.push(tf.memory().numTensors);
        }
        assert.equal(counts[2], counts[1], `tensor counts after steps 1..3: ${counts.join(', ')}`);
        opt.disposeState(state);
        tf.dispose([x, grad, loss]);
      });

      it(`${label(variant)} leaks no tensors over 1,000 steps of minimize`, async () => {
        const f = evaluatorOf((v) => tf.sum(tf.mul(tf.square(v), tf.tensor1d([1, 10, 100]))).mul(0.5) as tf.Scalar);
        const x0 = tf.tensor1d([1, -1, 0.5]);
        const before = tf.memory().numTensors;
        const result = await minimize({
          evaluate: f, x0, optimizer: createOptimizer(id, hp), schedule: constantSchedule(1e-3), steps: 1000,
        });
        assert.equal(result.status, 'completed');
        assert.ok(result.final.loss < 51, `loss should not grow from 50.625, got ${result.final.loss}`);
        result.params.dispose();
        assert.equal(tf.memory().numTensors, before);
        x0.dispose();
      });
    }

    it('inspect returns a copy of every state tensor and leaks nothing', () => {
      for (const factory of FIRST_ORDER) {
        const opt = factory.create({});
        const x = tf.tensor1d([1, 2]);
        const state = opt.init(x);
        const before = tf.memory().numTensors;
        const views = opt.inspect?.(state) ?? {};
        for (const [key, value] of Object.entries(state)) {
          // State is kept per parameter tensor ('0.exp_avg'); the views join the tensors under the rule's names.
          const name = key.replace(/^\d+\./, '');
          if (value instanceof tf.Tensor) assert.ok(views[name] && views[name] !== value, `${factory.id}: ${name}`);
        }
        tf.dispose(Object.values(views));
        assert.equal(tf.memory().numTensors, before, factory.id);
        opt.disposeState(state);
        x.dispose();
      }
    });
  });
});
