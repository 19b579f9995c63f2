import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import type { ArrayOptimizer } from '../../../../src/core/arrays/contracts';
import type { OptimizerRule } from '../../../../src/core/rules/optimizerRule';
import { ruleFactory } from '../../../../src/core/rules/ruleFactory';
import { forEachBackend } from '../../helpers/backends';

/**
 * A compiled rule whose JS takes, mid-run, a path that does not compile (here: topk from the 4th update)
 * goes on with that slot on TensorFlow.js instead of stopping the run: the same numbers as the rule on
 * tensors, its state carried over from the compiled kernel's memory.
 */
type Hp = { lr: number; beta: number };
const switching: OptimizerRule<{ m: tf.Tensor }, Hp> = {
  defaults: { lr: 0.1, beta: 0.9 },
  init: (param) => ({ m: tf.zerosLike(param) }),
  update: (grad, state, param, hp, ctx) => {
    const m = state.m.mul(hp.beta).add(grad);
    // From update 4 the step is scaled by the sum of the two largest |m| (topk has no compiled form).
    const scale = ctx.step < 4 ? tf.scalar(1) : tf.topk(m.abs().reshape([-1]), 2).values.sum().add(1);
    return { param: param.sub(m.mul(scale).mul(hp.lr)), state: { m } };
  },
};

const gradAt = (x: Float32Array) => Float32Array.from(x, (v, i) => (1 + i) * v - 0.5);
const START = [1, -2, 0.5, 3];
const STEPS = 8;

describe('a compiled rule that meets a path that does not compile mid-run', () => {
  forEachBackend(() => {
    it('goes on with the slot on TensorFlow.js and gives the tensor path\'s numbers', () => {
      const before = tf.memory().numTensors;
      const factory = ruleFactory('switching', switching as unknown as OptimizerRule);
      const optimizer = factory.create({}, [{ name: '', shape: [4] }]);
      const arrays = optimizer.arrays as ArrayOptimizer;
      assert.ok(arrays, 'its first path compiles');
      let x = Float32Array.from(START);
      const state = arrays.init(x);
      const compiled: number[][] = [];
      for (let k = 0; k < STEPS; k++) {
        const out = new Float32Array(4);
        const r = arrays.update({ params: x, grad: gradAt(x), paramsOut: out, loss: 0, lr: 0.05, step: k, evaluate: () => assert.fail() }, state);
        const moved = out.reduce((s, v, i) => s + Math.fround(v - x[i]) ** 2, 0);
        assert.ok(Math.abs(r.updateNormSq - moved) <= 1e-6 * moved, `updateNormSq at ${k}`);
        x = out;
        compiled.push(Array.from(x));
      }
      arrays.release?.(state);
      const afterCompiled = tf.memory().numTensors;
      // The same rule on tensors.
      let t = tf.tensor1d(START);
      let tensorState = optimizer.init(t);
      for (let k = 0; k < STEPS; k++) {
        const g = tf.tensor1d(gradAt(t.dataSync() as Float32Array));
        const loss = tf.scalar(0);
        const r = optimizer.update({ params: t, loss, grad: g, lr: 0.05, step: k, evaluate: () => assert.fail(), hvp: () => assert.fail() }, tensorState);
        tf.dispose([g, loss]);
        t.dispose();
        t = r.params;
        tensorState = r.state;
        const got = Array.from(t.dataSync());
        got.forEach((v, i) => assert.ok(Math.abs(v - compiled[k][i]) <= 1e-5 * Math.max(1, Math.abs(v)), `update ${k + 1}, parameter ${i}: ${compiled[k][i]} vs ${v}`));
      }
      optimizer.disposeState(tensorState);
      t.dispose();
      assert.ok(Math.abs(compiled[STEPS - 1][0] - compiled[2][0]) > 1e-3, 'it kept moving after the switch');
      assert.equal(afterCompiled, before, 'the compiled run left tensors behind');
      assert.equal(tf.memory().numTensors, before, 'tensors leaked');
    });
  });
});
