import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import type { HpRecord } from '../../../../src/core/hyperparams';
import type { OptimizerRule } from '../../../../src/core/rules/optimizerRule';
import { SlotReplayer } from '../../../../src/core/rules/traceRule';

type T = tf.Tensor;

/**
 * Every replayer's hp and ctx share one lr getter and one step getter (so every run's objects have the
 * same shape for the JIT); each must still answer with its own replayer's lr and step, however the
 * rule reaches them.
 */
const rule: OptimizerRule = {
  defaults: { lr: 0.1, beta: 0.9 },
  init: (p) => ({ m: tf.zerosLike(p) }),
  update: (g, s, p, hp) => ({ param: p.sub(g.mul(hp.lr)), state: { m: (s.m as T).mul(hp.beta as number) } }),
};
const spec = { name: 'w', shape: [3], stateKeys: ['m'], stateShapes: [[3]] };
const replayer = (lr: number, step: number): SlotReplayer => {
  const r = new SlotReplayer(rule, rule.defaults as HpRecord, spec);
  r.lr = lr;
  r.step = step;
  return r;
};

describe('a replay\'s hp.lr and ctx.step', () => {
  it('are each replayer\'s own, through the shared getters', () => {
    const a = replayer(0.25, 7);
    const b = replayer(0.5, 11);
    assert.deepEqual([a.hpNow.lr, a.ctx.step, b.hpNow.lr, b.ctx.step], [0.25, 7, 0.5, 11]);
    assert.equal(a.hpNow.beta, 0.9);
  });

  it('are read through a spread and through an object that inherits from them, and the reads are noted', () => {
    const a = replayer(0.125, 3);
    assert.equal(a.readsStep, false);
    assert.equal({ ...a.hpNow }.lr, 0.125);
    assert.equal((Object.create(a.hpNow) as { lr: number }).lr, 0.125);
    assert.equal((Object.create(a.ctx) as { step: number }).step, 3);
    assert.equal(a.readsStep, true);
  });
});
