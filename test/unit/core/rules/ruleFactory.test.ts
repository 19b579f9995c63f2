import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { evaluatorOf } from '../../../../src/core/evaluate';
import { HyperparameterError } from '../../../../src/core/hyperparams';
import { minimize } from '../../../../src/core/minimize';
import { constantSchedule } from '../../../../src/core/schedule';
import type { OptimizerRule } from '../../../../src/core/rules/optimizerRule';
import { InvalidRuleError, ruleFactory, validateRule } from '../../../../src/core/rules/ruleFactory';
import { RuleFailure } from '../../../../src/core/rules/ruleFailure';
import { rosenbrock } from '../../../../src/core/testFunctions';

const sgdRule: OptimizerRule = {
  defaults: { lr: 0.1, momentum: 0, betas: [0.9, 0.99], triple: [1, 2, 3], flag: false },
  checks: { momentum: (v) => ((v as number) >= 0 ? undefined : `must be >= 0, got ${String(v)}`) },
  docs: { momentum: 'momentum factor' },
  init: () => ({}),
  update: (g, s, p, hp) => ({ param: p.sub(g.mul(hp.lr)), state: {} }),
};

describe('optimizer rules as factories', () => {
  it('derives hyperparameters from defaults: kinds, docs, lr kept apart as the default lr', () => {
    const f = ruleFactory('mine', sgdRule);
    assert.equal(f.defaultLr, 0.1);
    assert.deepEqual(
      f.hyperparams.map((h) => [h.name, h.kind, h.doc]),
      [['momentum', 'number', 'momentum factor'], ['betas', 'pair', ''], ['triple', 'tuple', ''], ['flag', 'boolean', '']],
    );
    assert.deepEqual(f.create({ betas: '0.8,0.9', triple: '4,5,6', flag: 'true', momentum: '0.5' }).hp, { momentum: 0.5, betas: [0.8, 0.9], triple: [4, 5, 6], flag: true });
  });

  it('rejects unknown names, wrong types, wrong tuple lengths, failed checks and lr as a hyperparameter, naming them', () => {
    const f = ruleFactory('mine', sgdRule);
    assert.throws(() => f.create({ mometum: 0.9 }), (e: unknown) => e instanceof HyperparameterError && /unknown hyperparameter 'mometum' for optimizer 'mine'; valid: momentum, betas, triple, flag/.test(e.message));
    assert.throws(() => f.create({ momentum: 'fast' }), /momentum for 'mine' must be a number, got "fast"/);
    assert.throws(() => f.create({ triple: '1,2' }), /triple for 'mine' must be 3 numbers separated by commas/);
    assert.throws(() => f.create({ betas: '1' }), /betas for 'mine' must be two numbers/);
    assert.throws(() => f.create({ momentum: -1 }), /invalid momentum for 'mine': must be >= 0, got -1/);
    assert.throws(() => f.create({ lr: 0.5 }), /set the learning rate of 'mine' with --lr/);
  });

  it('validates what TypeScript cannot check in a user file', () => {
    assert.throws(() => validateRule('x', { init: () => ({}) }), (e: unknown) => e instanceof InvalidRuleError && /must be an object with init and update functions/.test(e.message));
    assert.throws(() => validateRule('x', { init: () => ({}), update: () => ({}) }), /needs a defaults object/);
    assert.throws(() => validateRule('x', { defaults: { lr: 'big' }, init: () => ({}), update: () => ({}) }), /defaults\.lr must be a number >= 0, got "big"/);
    assert.throws(() => validateRule('x', { defaults: { lr: 1, mode: 'fast' }, init: () => ({}), update: () => ({}) }), /defaults\.mode must be a number, a boolean or a list of numbers/);
    assert.throws(() => validateRule('x', { defaults: { lr: 1 }, scope: 'global', init: () => ({}), update: () => ({}) }), /scope must be 'tensor' or 'model'/);
  });

  it('an update returning the wrong shape, a non-tensor or dropping state fails naming the rule, parameter and step', () => {
    const bad = (update: OptimizerRule['update']): OptimizerRule => ({ defaults: { lr: 0.1 }, init: (p) => ({ m: tf.zerosLike(p) }), update });
    const cases: [OptimizerRule['update'], RegExp][] = [
      [(g, s, p) => ({ param: p.sum(), state: s }), /update returned param of shape \[\], expected \[3\]/],
      [(g, s) => ({ param: 3 as unknown as tf.Tensor, state: s }), /update must return param as a tensor, got number/],
      [(g, s, p) => ({ param: p.sub(g), state: {} }), /update dropped state 'm'/],
      [(g, s, p) => ({ param: p.sub(g), state: { m: tf.zeros([2]) } }), /state\.m changed shape from \[3\] to \[2\]/],
    ];
    for (const [update, message] of cases) {
      const o = ruleFactory('bad', bad(update)).create({}, [{ name: 'w', shape: [3] }]);
      assert.equal(o.arrays, undefined, 'a rule returning something unusable does not compile');
      const x = tf.tensor1d([1, 2, 3]);
      const state = o.init(x);
      const before = tf.memory().numTensors;
      assert.throws(
        () => o.update({ params: x, grad: x, loss: tf.scalar(0), lr: 0.1, step: 0, evaluate: () => { throw new Error(); }, hvp: () => { throw new Error(); } }, state),
        (e: unknown) => e instanceof RuleFailure && e.badResult && /update of optimizer rule 'bad' for parameter 'w' at step 0 \(ctx\.step 1\)/.test(e.message) && message.test(e.message),
      );
      // The failed update's tensors are freed (only the loss scalar made above stays).
      assert.equal(tf.memory().numTensors, before + 1);
      o.disposeState(state);
      x.dispose();
    }
  });

  it('a model-scope rule gets closures: an Armijo backtracking rule converges and its evaluations are counted', async () => {
    const armijo: OptimizerRule = {
      scope: 'model',
      defaults: { lr: 1, shrink: 0.5, c: 1e-4 },
      init: () => ({}),
      update: (grad, state, param, hp, ctx) => {
        const closures = ctx.closures;
        if (!closures) throw new Error('closures missing');
        const f0 = closures.loss.dataSync()[0];
        const g2 = grad.square().sum().dataSync()[0];
        let t = hp.lr;
        for (let k = 0; k < 30; k++) {
          const trial = param.sub(grad.mul(t)) as tf.Tensor1D;
          const { loss } = closures.evaluate(trial);
          if (loss.dataSync()[0] <= f0 - (hp.c as number) * t * g2) return { param: trial, state: {} };
          t *= hp.shrink as number;
        }
        return { param, state: {} };
      },
    };
    const optimizer = ruleFactory('armijo', armijo).create({});
    assert.match(optimizer.arraysUnavailable ?? '', /model scope/);
    const x0 = tf.tensor1d([-1.2, 1]);
    const before = tf.memory().numTensors;
    const result = await minimize({ evaluate: evaluatorOf(rosenbrock(2).f), x0, optimizer, schedule: constantSchedule(1), steps: 200 });
    assert.equal(result.status, 'completed');
    assert.ok(result.final.loss < 0.5, `from 24.2 to ${result.final.loss}`);
    assert.ok(result.evals > 201, `backtracking trials count as evaluations: ${result.evals}`);
    result.params.dispose();
    assert.equal(tf.memory().numTensors, before);
    x0.dispose();
  });
});
