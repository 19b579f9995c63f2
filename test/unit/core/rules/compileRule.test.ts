import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import type { ArrayOptimizer } from '../../../../src/core/arrays/contracts';
import type { Optimizer, ParamShapes } from '../../../../src/core/optimizer';
import { createOptimizer } from '../../../../src/core/optimizers/registry';
import type { CompiledRuleState } from '../../../../src/core/rules/compileRule';
import type { OptimizerRule } from '../../../../src/core/rules/optimizerRule';
import { ruleFactory } from '../../../../src/core/rules/ruleFactory';
import { RuleFailure } from '../../../../src/core/rules/ruleFailure';
import { forEachBackend } from '../../helpers/backends';

type T = tf.Tensor;

/** Adam as a user writes it: bias corrections with Math.pow on ctx.step, torch's op order. */
const userAdam: OptimizerRule = {
  defaults: { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 },
  init: (p) => ({ m: tf.zerosLike(p), v: tf.zerosLike(p) }),
  update: (g, s, p, hp, ctx) => {
    const [b1, b2, eps] = [hp.beta1, hp.beta2, hp.eps] as number[];
    const m = (s.m as T).mul(b1).add(g.mul(1 - b1));
    const v = (s.v as T).mul(b2).add(g.mul(1 - b2).mul(g));
    const denom = v.sqrt().div(Math.sqrt(1 - Math.pow(b2, ctx.step))).add(eps);
    return { param: p.sub(m.mul(hp.lr / (1 - Math.pow(b1, ctx.step))).div(denom)), state: { m, v } };
  },
};

/** Lion (Chen et al. 2023). */
const lion: OptimizerRule = {
  defaults: { lr: 1e-4, beta1: 0.9, beta2: 0.99, weight_decay: 0 },
  init: (p) => ({ m: tf.zerosLike(p) }),
  update: (g, s, p, hp) => {
    const [b1, b2, wd] = [hp.beta1, hp.beta2, hp.weight_decay] as number[];
    const c = (s.m as T).mul(b1).add(g.mul(1 - b1));
    const next = p.mul(1 - hp.lr * wd).sub(c.sign().mul(hp.lr));
    return { param: next, state: { m: (s.m as T).mul(b2).add(g.mul(1 - b2)) } };
  },
};

/** Float32 gradient of Σ x² + sin(x) style objectives: depends on x, both signs. */
const gradAt = (x: Float32Array): Float32Array => x.map((v, i) => 2 * v + Math.cos(v + i));
/** A learning rate that changes every step (a schedule): frozen scalars would show. */
const lrAt = (k: number, base: number): number => base * (1 + 0.5 * Math.sin(k));

function runArrays(arrays: ArrayOptimizer, x0: Float32Array, steps: number, baseLr: number) {
  const state = arrays.init(x0);
  let x = Float32Array.from(x0);
  const norms: number[] = [];
  for (let k = 0; k < steps; k++) {
    const out = new Float32Array(x.length);
    norms.push(arrays.update({ params: x, paramsOut: out, grad: gradAt(x), loss: 0, lr: lrAt(k, baseLr), step: k, evaluate: () => 0 }, state).updateNormSq);
    x = out;
  }
  return { x, norms, state };
}

function runTensors(optimizer: Optimizer, x0: Float32Array, steps: number, baseLr: number): Float32Array {
  let x = tf.tensor1d(x0);
  let state = optimizer.init(x);
  for (let k = 0; k < steps; k++) {
    const grad = tf.tensor1d(gradAt(x.dataSync() as Float32Array));
    const loss = tf.scalar(0);
    const r = optimizer.update({ params: x, grad, loss, lr: lrAt(k, baseLr), step: k, evaluate: () => { throw new Error('unused'); }, hvp: () => { throw new Error('unused'); } }, state);
    grad.dispose();
    loss.dispose();
    x.dispose();
    x = r.params;
    state = r.state;
  }
  const values = x.dataSync() as Float32Array;
  x.dispose();
  optimizer.disposeState(state);
  return Float32Array.from(values);
}

const start = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(3 * i + 1) * 2);
const compiled = (rule: OptimizerRule, n: number, hp = {}, shapes?: ParamShapes) => {
  const o = ruleFactory('rule', rule).create(hp, shapes ?? [{ name: '', shape: [n] }]);
  assert.ok(o.arrays, `the rule should compile: ${o.arraysUnavailable}`);
  return { optimizer: o, arrays: o.arrays };
};
const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('compiled optimizer rules', () => {
  forEachBackend(() => {
    for (const n of [3, 1000]) {
      it(`a user-written Adam matches the built-in adam bit for bit, compiled, with lr changing every step (n = ${n})`, () => {
        const mine = runArrays(compiled(userAdam, n).arrays, start(n), 60, 0.05);
        const builtIn = runArrays(createOptimizer('adam', {}).arrays as ArrayOptimizer, start(n), 60, 0.05);
        assert.deepEqual(Array.from(mine.x), Array.from(builtIn.x));
        mine.norms.forEach((q, k) => assert.ok(Math.abs(q - builtIn.norms[k]) <= 1e-5 * builtIn.norms[k] + 1e-30, `update norm at step ${k}: ${q} vs ${builtIn.norms[k]}`));
      });
    }

    it('the user Adam on tensors matches the built-in adam on tensors', () => {
      const mine = runTensors(ruleFactory('myadam', userAdam).create({}, [{ name: '', shape: [5] }]), start(5), 40, 0.05);
      const builtIn = runTensors(createOptimizer('adam', {}), start(5), 40, 0.05);
      assert.ok(maxDiff(mine, builtIn) <= 1e-6, `max difference ${maxDiff(mine, builtIn)}`);
    });

    it('Lion compiled takes the hand-derived first two steps', () => {
      // x0 = (1, -2, 0.5), lr = 0.1, β1 = 0.9, β2 = 0.99, wd = 0.1 (lr constant here).
      // step 1: g = 2x + cos(x + i); c = 0.1·g; x ← x·(1 − 0.01) − 0.1·sign(c); m = 0.01·g.
      // step 2: c = 0.9·m + 0.1·g₂; x ← x·0.99 − 0.1·sign(c); m = 0.99·m + 0.01·g₂.
      const { arrays } = compiled(lion, 3, { weight_decay: 0.1 });
      const state = arrays.init(Float32Array.of(1, -2, 0.5));
      let x = Float32Array.of(1, -2, 0.5);
      let m = [0, 0, 0];
      let expected = Array.from(x);
      for (let k = 0; k < 2; k++) {
        const g = Array.from(gradAt(x));
        const c = m.map((mi, i) => 0.9 * mi + 0.1 * g[i]);
        expected = expected.map((xi, i) => xi * (1 - 0.1 * 0.1) - 0.1 * Math.sign(c[i]));
        m = m.map((mi, i) => 0.99 * mi + 0.01 * g[i]);
        const out = new Float32Array(3);
        arrays.update({ params: x, paramsOut: out, grad: Float32Array.from(g), loss: 0, lr: 0.1, step: k, evaluate: () => 0 }, state);
        x = out;
        expected.forEach((e, i) => assert.ok(Math.abs(x[i] - e) <= 1e-6, `step ${k + 1}, x[${i}] = ${x[i]}, hand-derived ${e}`));
      }
    });

    it('a rule that branches on ctx.step compiles each path and matches its tensor form', () => {
      const warmup: OptimizerRule = {
        defaults: { lr: 0.1 },
        init: () => ({}),
        update: (g, s, p, hp, ctx) => ({ param: ctx.step <= 3 ? p.sub(g.mul(hp.lr)) : p.sub(g.sign().mul(hp.lr * (ctx.step > 6 ? 0.5 : 1))), state: {} }),
      };
      const { arrays, optimizer } = compiled(warmup, 40);
      const out = runArrays(arrays, start(40), 10, 0.1);
      assert.ok(maxDiff(out.x, runTensors(optimizer, start(40), 10, 0.1)) <= 1e-6);
      assert.ok((out.state as CompiledRuleState).slots[0].paths >= 2, 'the second path was compiled');
    });

    it('a rule that makes tensors outside ops (tf.scalar of a step-dependent number) is replayed kernel by kernel and stays exact', () => {
      const withScalar: OptimizerRule = {
        defaults: { lr: 0.1 },
        init: () => ({}),
        update: (g, s, p, hp, ctx) => ({ param: p.sub(g.mul(tf.scalar(hp.lr / Math.sqrt(ctx.step)))), state: {} }),
      };
      const { arrays, optimizer } = compiled(withScalar, 40);
      const out = runArrays(arrays, start(40), 8, 0.1);
      const run = (out.state as CompiledRuleState).slots[0];
      assert.equal(run.kernel.recording.ops, undefined, 'not followable op by op');
      assert.equal(run.paths, 1, 'one compiled path serves every step');
      assert.ok(maxDiff(out.x, runTensors(optimizer, start(40), 8, 0.1)) <= 1e-6);
    });

    it('plain-number state (a running product) is carried between compiled steps', () => {
      const decaying: OptimizerRule = {
        defaults: { lr: 0.1, gamma: 0.8 },
        init: () => ({ scale: 1 }),
        update: (g, s, p, hp) => {
          const scale = (s.scale as number) * (hp.gamma as number);
          return { param: p.sub(g.mul(hp.lr * scale)), state: { scale } };
        },
      };
      const { arrays, optimizer } = compiled(decaying, 50);
      assert.ok(maxDiff(runArrays(arrays, start(50), 12, 0.1).x, runTensors(optimizer, start(50), 12, 0.1)) <= 1e-6);
    });

    it('named parameters are updated with their own shapes and names', () => {
      const seen = new Set<string>();
      const perShape: OptimizerRule = {
        defaults: { lr: 0.1 },
        init: (p) => ({ m: tf.zerosLike(p) }),
        update: (g, s, p, hp, ctx) => {
          seen.add(`${ctx.name}:${p.shape.join('x')}`);
          const m = (s.m as T).mul(0.5).add(g);
          // Matrices step half as far: a rule may look at the tensor's rank.
          return { param: p.sub(m.mul(p.rank === 2 ? hp.lr / 2 : hp.lr)), state: { m } };
        },
      };
      const shapes = [{ name: 'w', shape: [4, 8] }, { name: 'b', shape: [8] }];
      const o = ruleFactory('pershape', perShape).create({}, shapes);
      assert.ok(o.arrays);
      const a = runArrays(o.arrays, start(40), 8, 0.1).x;
      assert.ok(maxDiff(a, runTensors(o, start(40), 8, 0.1)) <= 1e-6);
      assert.ok(seen.has('w:4x8') && seen.has('b:8'), [...seen].join(', '));
    });

    it('a rule that reads tensor values stays on tensors and says why', () => {
      const reads: OptimizerRule = {
        defaults: { lr: 0.1 },
        init: () => ({}),
        update: (g, s, p, hp) => ({ param: p.sub(g.mul(hp.lr * (g.max().dataSync()[0] > 1 ? 0.5 : 1))), state: {} }),
      };
      const o = ruleFactory('reads', reads).create({}, [{ name: '', shape: [4] }]);
      assert.equal(o.arrays, undefined);
      assert.match(o.arraysUnavailable ?? '', /reads tensor values/);
    });

    it('an update that throws at step 3 fails with the step and the original error', () => {
      const boom = new Error('boom');
      const throwing: OptimizerRule = {
        defaults: { lr: 0.1 },
        init: () => ({}),
        update: (g, s, p, hp, ctx) => {
          if (ctx.step === 3) throw boom;
          return { param: p.sub(g.mul(hp.lr)), state: {} };
        },
      };
      const { arrays } = compiled(throwing, 6);
      assert.throws(() => runArrays(arrays, start(6), 5, 0.1), (e: unknown) => e instanceof RuleFailure && e.step === 3 && e.cause === boom && /step 3/.test(e.message));
    });

    it('disposing intermediates inside update is harmless, compiled', () => {
      const disposing: OptimizerRule = {
        defaults: { lr: 0.1 },
        init: () => ({}),
        update: (g, s, p, hp) => {
          const scaled = g.mul(hp.lr);
          const next = p.sub(scaled);
          scaled.dispose();
          return { param: next, state: {} };
        },
      };
      const { arrays, optimizer } = compiled(disposing, 10);
      assert.ok(maxDiff(runArrays(arrays, start(10), 6, 0.1).x, runTensors(optimizer, start(10), 6, 0.1)) <= 1e-6);
    });

    it('a released run hands its kernel to the next run of the same rule; a rule with the same source but other values still gets its own numbers', () => {
      // Same source text (update.toString()), different closed-over value: the pool's key cannot tell them apart.
      const scaled = (factor: number): OptimizerRule => ({
        defaults: { lr: 0.1 },
        init: () => ({}),
        // factor is its own scalar, the same at every lr and step: compiled in as a literal, checked every step.
        update: (g, s, p, hp) => ({ param: p.sub(g.mul(factor).mul(hp.lr)), state: {} }),
      });
      const first = compiled(scaled(0.5), 64).arrays;
      const firstState = first.init(start(64)) as CompiledRuleState;
      first.release?.(firstState);
      const again = compiled(scaled(0.5), 64).arrays;
      const againState = again.init(start(64)) as CompiledRuleState;
      assert.equal(againState.slots[0].kernel, firstState.slots[0].kernel, 'the second run reuses the first run\'s kernel');
      again.release?.(againState);
      const other = compiled(scaled(0.25), 64);
      const out = runArrays(other.arrays, start(64), 6, 0.1);
      assert.ok(maxDiff(out.x, runTensors(other.optimizer, start(64), 6, 0.1)) <= 1e-6, 'the reused kernel took the new factor');
    });

    it('compiling, initialising and stepping a rule leaves no tensors behind', () => {
      const before = tf.memory().numTensors;
      runArrays(compiled(userAdam, 300).arrays, start(300), 5, 0.01);
      runTensors(ruleFactory('myadam', userAdam).create({}, [{ name: '', shape: [300] }]), start(300), 5, 0.01);
      assert.equal(tf.memory().numTensors, before);
    });
  });
});
