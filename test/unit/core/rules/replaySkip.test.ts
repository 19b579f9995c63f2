import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import type { ArrayOptimizer } from '../../../../src/core/arrays/contracts';
import type { Optimizer } from '../../../../src/core/optimizer';
import type { OptimizerRule } from '../../../../src/core/rules/optimizerRule';
import { StandIn } from '../../../../src/core/rules/opReplay';
import { ruleFactory } from '../../../../src/core/rules/ruleFactory';

type T = tf.Tensor;

/**
 * A compiled rule's JS runs again each step for that step's scalars, unless the last run read
 * nothing that changed (neither ctx.step nor a new lr, and its plain-number state came out as it
 * went in). Counted here by the update's calls; and the skipping must never freeze a number.
 */
function counted(rule: OptimizerRule): { rule: OptimizerRule; calls: () => number } {
  let calls = 0;
  return { rule: { ...rule, update: (...args) => (calls++, rule.update(...args)) }, calls: () => calls };
}

const momentumSign: OptimizerRule = {
  defaults: { lr: 0.1, beta: 0.9 },
  init: (p) => ({ m: tf.zerosLike(p) }),
  update: (g, s, p, hp) => {
    const m = (s.m as T).mul(hp.beta as number).add(g);
    return { param: p.sub(m.sign().mul(hp.lr)), state: { m } };
  },
};
const biasCorrected: OptimizerRule = {
  defaults: { lr: 0.1, beta: 0.9 },
  init: (p) => ({ m: tf.zerosLike(p) }),
  update: (g, s, p, hp, ctx) => {
    const beta = hp.beta as number;
    const m = (s.m as T).mul(beta).add(g.mul(1 - beta));
    return { param: p.sub(m.mul(hp.lr / (1 - beta ** ctx.step))), state: { m } };
  },
};
/** Plain-number state that changes once (a flag), then stays: replays stop after it settles. */
const flagged: OptimizerRule = {
  defaults: { lr: 0.1 },
  init: (p) => ({ m: tf.zerosLike(p), started: 0 }),
  update: (g, s, p, hp) => {
    const m = s.started ? (s.m as T).mul(0.5).add(g) : g;
    return { param: p.sub(m.mul(hp.lr)), state: { m, started: 1 } };
  },
};

const gradAt = (x: Float32Array): Float32Array => x.map((v, i) => 2 * v + Math.cos(v + i));
const start = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(3 * i + 1) * 2);

function runArrays(arrays: ArrayOptimizer, steps: number, lrAt: (k: number) => number, n = 4): Float32Array {
  let x = start(n);
  const state = arrays.init(x);
  for (let k = 0; k < steps; k++) {
    const out = new Float32Array(n);
    arrays.update({ params: x, paramsOut: out, grad: gradAt(x), loss: 0, lr: lrAt(k), step: k, evaluate: () => 0 }, state);
    x = out;
  }
  return x;
}

function runTensors(optimizer: Optimizer, steps: number, lrAt: (k: number) => number, n = 4): Float32Array {
  let x = tf.tensor1d(start(n));
  let state = optimizer.init(x);
  for (let k = 0; k < steps; k++) {
    const grad = tf.tensor1d(gradAt(x.dataSync() as Float32Array));
    const loss = tf.scalar(0);
    const r = optimizer.update({ params: x, grad, loss, lr: lrAt(k), step: k, evaluate: () => assert.fail(), hvp: () => assert.fail() }, state);
    tf.dispose([grad, loss, x]);
    x = r.params;
    state = r.state;
  }
  const values = Float32Array.from(x.dataSync());
  x.dispose();
  optimizer.disposeState(state);
  return values;
}

/** Update calls made by steps 6..20 of a compiled run (after compiling and settling). */
function callsLater(rule: OptimizerRule, lrAt: (k: number) => number): number {
  const c = counted(rule);
  const arrays = ruleFactory('r', c.rule).create({}, [{ name: '', shape: [4] }]).arrays as ArrayOptimizer;
  let x = start(4);
  const state = arrays.init(x);
  let before = 0;
  for (let k = 0; k < 20; k++) {
    if (k === 5) before = c.calls();
    const out = new Float32Array(4);
    arrays.update({ params: x, paramsOut: out, grad: gradAt(x), loss: 0, lr: lrAt(k), step: k, evaluate: () => 0 }, state);
    x = out;
  }
  return c.calls() - before;
}

const constant = () => 0.1;
const scheduled = (k: number) => 0.1 * (1 + 0.5 * Math.sin(k));

describe('compiled rules re-run their JS only when something it read changed', () => {
  it('not at all for a rule of lr alone at a constant lr', () => assert.equal(callsLater(momentumSign, constant), 0));
  it('every step when the lr changes every step', () => assert.equal(callsLater(momentumSign, scheduled), 15));
  it('every step for a rule that reads ctx.step', () => assert.equal(callsLater(biasCorrected, constant), 15));
  it('not once its plain-number state has settled', () => assert.equal(callsLater(flagged, constant), 0));

  for (const [name, rule] of [['lr alone', momentumSign], ['ctx.step', biasCorrected], ['a flag', flagged]] as const) {
    for (const [lrName, lrAt] of [['constant', constant], ['changing', scheduled]] as const) {
      it(`a rule reading ${name}, lr ${lrName}: compiled matches its tensor form`, () => {
        const o = ruleFactory('r', rule).create({}, [{ name: '', shape: [4] }]);
        const compiled = runArrays(o.arrays as ArrayOptimizer, 30, lrAt);
        const onTensors = runTensors(o, 30, lrAt);
        compiled.forEach((v, i) => assert.ok(Math.abs(v - onTensors[i]) <= 1e-6 * Math.max(1, Math.abs(onTensors[i])), `x[${i}]: ${v} vs ${onTensors[i]}`));
      });
    }
  }
});

describe('compiled rules compile each path once', () => {
  it('a rule branching on the first step: a second run takes both paths from the pool, traced no more', () => {
    let traces = 0;
    const firstStep: OptimizerRule = {
      defaults: { lr: 0.1 },
      init: (p) => ({ m: tf.zerosLike(p) }),
      update: (g, s, p, hp, ctx) => {
        // Real tensors (not stand-ins: tfjs's instanceof is duck-typed) only when the update is traced or runs on tensors.
        if (Object.getPrototypeOf(g) !== StandIn.prototype) traces++;
        const m = ctx.step === 1 ? g : (s.m as T).mul(0.7).add(g);
        return { param: p.sub(m.mul(hp.lr)), state: { m } };
      },
    };
    const run = () => {
      const o = ruleFactory('first-step', firstStep).create({}, [{ name: '', shape: [7] }]);
      const arrays = o.arrays as ArrayOptimizer;
      let x = start(7);
      const state = arrays.init(x);
      for (let k = 0; k < 6; k++) {
        const out = new Float32Array(7);
        arrays.update({ params: x, paramsOut: out, grad: gradAt(x), loss: 0, lr: 0.1, step: k, evaluate: () => 0 }, state);
        x = out;
      }
      arrays.release?.(state);
      const traced = traces;
      const onTensors = runTensors(o, 6, constant, 7);
      traces = traced;
      return { x, onTensors };
    };
    const first = run();
    const tracedFirst = traces;
    assert.ok(tracedFirst >= 2, `both paths were traced in the first run (${tracedFirst})`);
    const second = run();
    assert.equal(traces, tracedFirst, 'the second run traced nothing');
    assert.deepEqual(Array.from(second.x), Array.from(first.x));
    second.x.forEach((v, i) => assert.ok(Math.abs(v - second.onTensors[i]) <= 1e-6 * Math.max(1, Math.abs(second.onTensors[i]))));
  });
});
