import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import type { ArrayOptimizer } from '../../../../src/core/arrays/contracts';
import type { Optimizer, ParamShapes } from '../../../../src/core/optimizer';
import { optimizerFactory } from '../../../../src/core/optimizers/registry';
import type { HpRecord } from '../../../../src/core/hyperparams';
import { forEachBackend } from '../../helpers/backends';
import { expectClose } from '../../helpers/stepOptimizer';

/** y (the parameter), z and x (state) and the optimizer's evaluation point after one update. */
interface Point { y: number[]; z: number[]; x: number[]; at: number[] }

const read = (t: tf.Tensor): number[] => Array.from(t.dataSync());
const unused = (): never => {
  throw new Error('schedule-free rules never call evaluate or hvp');
};

/** Runs `steps` updates with gradient a ⊙ y (f = ½ Σ aᵢyᵢ²) and reads y, z, x and the evaluation point after each. */
function trace(optimizer: Optimizer, y0: number[], a: number[], lr: number | ((k: number) => number), steps: number): Point[] {
  let y = tf.tensor1d(y0);
  let state = optimizer.init(y);
  const out: Point[] = [];
  for (let k = 0; k < steps; k++) {
    const grad = tf.tensor1d(read(y).map((v, i) => a[i] * v));
    const loss = tf.scalar(0);
    const r = optimizer.update({ params: y, loss, grad, lr: typeof lr === 'number' ? lr : lr(k), step: k, evaluate: unused, hvp: unused }, state);
    tf.dispose([grad, loss, y]);
    y = r.params;
    state = r.state;
    const views = (optimizer.inspect as NonNullable<Optimizer['inspect']>)(state);
    const at = (optimizer.evaluationPoint as NonNullable<Optimizer['evaluationPoint']>)(y, state);
    out.push({ y: read(y), z: read(views.z), x: read(views.x), at: read(at) });
    tf.dispose([...Object.values(views), at]);
  }
  optimizer.disposeState(state);
  y.dispose();
  return out;
}

/** The compiled form's y and evaluation point after each update, with the same gradients as `trace`. */
function compiledTrace(arrays: ArrayOptimizer, y0: number[], a: number[], lrAt: (k: number) => number, steps: number): { y: Float32Array; at: Float32Array }[] {
  let y = Float32Array.from(y0);
  const state = arrays.init(y);
  const out: { y: Float32Array; at: Float32Array }[] = [];
  for (let k = 0; k < steps; k++) {
    const grad = Float32Array.from(y, (v, i) => Math.fround(a[i] * v));
    const next = new Float32Array(y.length);
    arrays.update({ params: y, paramsOut: next, grad, loss: 0, lr: lrAt(k), step: k, evaluate: unused }, state);
    const at = new Float32Array(y.length);
    (arrays.evaluationPoint as NonNullable<ArrayOptimizer['evaluationPoint']>)(state, at);
    out.push({ y: next, at });
    y = next;
  }
  arrays.release?.(state);
  return out;
}

interface PaperHp { lr: number; beta: number; beta2?: number; eps?: number; weight_decay: number; warmup_steps: number; r: number; weight_lr_power: number }

/**
 * The paper's equations (Defazio et al. 2024, arXiv:2405.15682) in float64, for f = ½ Σ aᵢyᵢ²:
 *   γ_t = lr·min(1, t/warmup)·(√(1 − β₂ᵗ) with Adam);  w_t = t^r·(max_{i≤t} γ_i)^p;  c = w_t/Σ w
 *   d = g (+ Adam: g/(√v + ε)) + λy;  z ← z − γ_t·d;  x ← (1 − c)x + c·z;  y ← (1 − β)z + βx
 */
function paperSteps(adam: boolean, hp: PaperHp, y0: number[], a: number[], steps: number): Point[] {
  let [y, z, x] = [[...y0], [...y0], [...y0]];
  let v = y0.map(() => 0);
  let [lrMax, weightSum] = [0, 0];
  const out: Point[] = [];
  for (let t = 1; t <= steps; t++) {
    const g = y.map((yi, i) => a[i] * yi);
    const beta2 = hp.beta2 ?? 0;
    const gamma = hp.lr * Math.min(1, t / hp.warmup_steps) * (adam ? Math.sqrt(1 - beta2 ** t) : 1);
    lrMax = Math.max(lrMax, gamma);
    const w = t ** hp.r * lrMax ** hp.weight_lr_power;
    weightSum += w;
    const c = weightSum > 0 ? w / weightSum : 0;
    if (adam) v = v.map((vi, i) => beta2 * vi + (1 - beta2) * g[i] * g[i]);
    const d = g.map((gi, i) => (adam ? gi / (Math.sqrt(v[i]) + (hp.eps ?? 0)) : gi) + hp.weight_decay * y[i]);
    z = z.map((zi, i) => zi - gamma * d[i]);
    x = x.map((xi, i) => (1 - c) * xi + c * z[i]);
    y = z.map((zi, i) => (1 - hp.beta) * zi + hp.beta * x[i]);
    out.push({ y, z, x, at: x });
  }
  return out;
}

function expectSame(ours: Point[], paper: Point[], rel = 2e-5): void {
  ours.forEach((p, k) => {
    for (const key of ['y', 'z', 'x', 'at'] as const) {
      try {
        expectClose(p[key], paper[k][key], rel);
      } catch (e) {
        throw new Error(`after update ${k + 1}, ${key}: ${(e as Error).message}`);
      }
    }
  });
}

const SGD_DEFAULTS = { beta: 0.9, weight_decay: 0, warmup_steps: 0, r: 0, weight_lr_power: 2 };
const ADAMW_DEFAULTS = { beta: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0, warmup_steps: 0, r: 0, weight_lr_power: 2 };
const A = [1, 3];
const Y0 = [1, -2];

describe('schedule-free-sgd and schedule-free-adamw', () => {
  forEachBackend(() => {
    it('schedule-free-sgd: the first three updates of y, z and x, worked by hand', () => {
      // f = ½|y|² (g = y), lr 0.1, β 0.9, r 0, weight_lr_power 2: every w_t = 0.1² = 0.01, so c_t = 1/t.
      // t=1: z = y0 − 0.1·y0 = 0.9·y0; c = 1 so x = z = 0.9·y0; y = 0.1·z + 0.9·x = 0.9·y0.
      // t=2: g = 0.9·y0; z = 0.9 − 0.09 = 0.81·y0; x = ½·0.9 + ½·0.81 = 0.855·y0; y = 0.081 + 0.7695 = 0.8505·y0.
      // t=3: g = 0.8505·y0; z = 0.81 − 0.08505 = 0.72495·y0; x = ⅔·0.855 + ⅓·0.72495 = 0.81165·y0;
      //      y = 0.1·0.72495 + 0.9·0.81165 = 0.802980·y0.
      const steps = trace(optimizerFactory('schedule-free-sgd').create({}), Y0, [1, 1], 0.1, 3);
      const scaled = (s: number) => Y0.map((v) => v * s);
      expectClose(steps[0].y, scaled(0.9));
      expectClose(steps[0].x, scaled(0.9));
      expectClose(steps[1].z, scaled(0.81));
      expectClose(steps[1].x, scaled(0.855));
      expectClose(steps[1].y, scaled(0.8505));
      expectClose(steps[2].z, scaled(0.72495));
      expectClose(steps[2].x, scaled(0.81165));
      expectClose(steps[2].at, scaled(0.81165));
      expectClose(steps[2].y, scaled(0.1 * 0.72495 + 0.9 * 0.81165));
    });

    const sgdSets: [string, HpRecord, Partial<PaperHp>][] = [
      ['defaults', {}, {}],
      ['momentum, weight decay, warm-up, r and weight_lr_power', { momentum: 0.7, weight_decay: 0.2, warmup_steps: 2, r: 1, weight_lr_power: 1 },
        { beta: 0.7, weight_decay: 0.2, warmup_steps: 2, r: 1, weight_lr_power: 1 }],
    ];
    for (const [label, hp, paper] of sgdSets) {
      it(`schedule-free-sgd follows the paper's equations (${label})`, () => {
        const ours = trace(optimizerFactory('schedule-free-sgd').create(hp), Y0, A, 0.1, 3);
        expectSame(ours, paperSteps(false, { lr: 0.1, ...SGD_DEFAULTS, ...paper }, Y0, A, 3));
      });
    }

    const adamSets: [string, HpRecord, Partial<PaperHp>][] = [
      ['defaults', {}, {}],
      ['betas, eps, weight decay, warm-up, r and weight_lr_power', { betas: [0.8, 0.99], eps: 1e-3, weight_decay: 0.1, warmup_steps: 3, r: 0.5, weight_lr_power: 1 },
        { beta: 0.8, beta2: 0.99, eps: 1e-3, weight_decay: 0.1, warmup_steps: 3, r: 0.5, weight_lr_power: 1 }],
    ];
    for (const [label, hp, paper] of adamSets) {
      it(`schedule-free-adamw follows the paper's equations (${label})`, () => {
        const ours = trace(optimizerFactory('schedule-free-adamw').create(hp), Y0, A, 0.05, 3);
        expectSame(ours, paperSteps(true, { lr: 0.05, ...ADAMW_DEFAULTS, ...paper }, Y0, A, 3));
      });
    }

    it('updates each parameter tensor of a matrix objective and joins the evaluation point in layout order', () => {
      const shapes: ParamShapes = [{ name: 'w', shape: [2, 2] }, { name: 'b', shape: [1] }];
      const y0 = [1, -2, 0.5, 3, -1];
      const a = [1, 2, 3, 4, 5];
      const ours = trace(optimizerFactory('schedule-free-adamw').create({ weight_decay: 0.1 }, shapes), y0, a, 0.05, 3);
      expectSame(ours, paperSteps(true, { lr: 0.05, ...ADAMW_DEFAULTS, weight_decay: 0.1 }, y0, a, 3));
    });

    it('at lr 0 nothing moves and the averaging weight stays finite (weight sum 0)', () => {
      for (const id of ['schedule-free-sgd', 'schedule-free-adamw']) {
        const steps = trace(optimizerFactory(id).create({}), Y0, A, 0, 3);
        for (const p of steps) for (const key of ['y', 'z', 'x'] as const) assert.deepEqual(p[key], Y0, `${id}: ${key}`);
      }
    });

    // Compiled = tensors, bit for bit: y after each update and the evaluation point x, with an lr that changes every
    // step (lr_max and the averaging weights follow it), a single vector and a matrix objective, JS loops and WebAssembly.
    const compiledSets: [string, HpRecord, number][] = [
      ['schedule-free-sgd', {}, 0.05], ['schedule-free-sgd', sgdSets[1][1], 0.05],
      ['schedule-free-adamw', {}, 0.05], ['schedule-free-adamw', adamSets[1][1], 0.05], ['schedule-free-adamw', { eps: 0 }, 0.05],
    ];
    for (const [id, hp, lr] of compiledSets) {
      for (const shapes of [[{ name: '', shape: [3] }], [{ name: 'w', shape: [20, 50] }], [{ name: 'w', shape: [2, 2] }, { name: 'b', shape: [1] }]]) {
        it(`${id} ${JSON.stringify(hp)} compiled = tensors bit for bit, y and x (${shapes.map((s) => `[${s.shape.join('×')}]`).join(' ')})`, () => {
          const n = shapes.reduce((size, s) => size + s.shape.reduce((p, d) => p * d, 1), 0);
          const y0 = Array.from({ length: n }, (_, i) => 2 * Math.cos(3 * i));
          const a = Array.from({ length: n }, (_, i) => 0.5 + (i % 7) / 3);
          const lrAt = (k: number) => lr * (1 + 0.5 * Math.sin(k));
          const optimizer = optimizerFactory(id).create(hp, shapes);
          const ours = compiledTrace(optimizer.arrays as ArrayOptimizer, y0, a, lrAt, 20);
          const tensors = trace(optimizerFactory(id).create(hp, shapes), y0, a, lrAt, 20);
          ours.forEach((p, k) => {
            assert.deepEqual(p.y, Float32Array.from(tensors[k].y), `y after update ${k + 1}`);
            assert.deepEqual(p.at, Float32Array.from(tensors[k].at), `x after update ${k + 1}`);
          });
        });
      }
    }

    it('leaks no tensors: create, init, updates, evaluation points, inspect and dispose, for every option set', () => {
      const sets: [string, HpRecord][] = [
        ['schedule-free-sgd', {}], ['schedule-free-sgd', sgdSets[1][1]],
        ['schedule-free-adamw', {}], ['schedule-free-adamw', adamSets[1][1]],
      ];
      for (const [id, hp] of sets) {
        const before = tf.memory().numTensors;
        trace(optimizerFactory(id).create(hp, [{ name: 'w', shape: [1, 2] }]), Y0, A, 0.1, 4);
        assert.equal(tf.memory().numTensors, before, `${id} ${JSON.stringify(hp)}`);
      }
    });
  });


  it('cites the paper, groups as schedule-free, and checks its hyperparameters', () => {
    for (const id of ['schedule-free-sgd', 'schedule-free-adamw']) {
      const f = optimizerFactory(id);
      assert.match(f.reference, /Defazio et al\. 2024, The Road Less Scheduled, arXiv:2405\.15682/);
      assert.equal(f.family, 'schedule-free');
      assert.ok(f.hyperparams.every((h) => h.doc.length > 0), `${id}: every hyperparameter documented`);
    }
    assert.equal(optimizerFactory('schedule-free-sgd').defaultLr, 1.0);
    assert.equal(optimizerFactory('schedule-free-adamw').defaultLr, 0.0025);
    assert.throws(() => optimizerFactory('schedule-free-sgd').create({ momentum: 1 }), /must be in \(0, 1\), got 1/);
    assert.throws(() => optimizerFactory('schedule-free-sgd').create({ warmup_steps: -1 }), /must be >= 0, got -1/);
    assert.throws(() => optimizerFactory('schedule-free-adamw').create({ betas: [1, 0.999] }), /each beta must be in \[0, 1\)/);
  });
});
