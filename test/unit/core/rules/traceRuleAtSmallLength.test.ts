import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import type { ArrayOptimizer } from '../../../../src/core/arrays/contracts';
import { SMALL_TRACE_MIN, smallSizesFor } from '../../../../src/core/compiled/sizeGeneric';
import type { HpRecord } from '../../../../src/core/hyperparams';
import type { Optimizer } from '../../../../src/core/optimizer';
import { createOptimizer } from '../../../../src/core/optimizers/registry';
import { compileRule, type CompiledRuleState } from '../../../../src/core/rules/compileRule';
import { compileInitAtSmallLength } from '../../../../src/core/rules/initAtSmallLength';
import type { OptimizerRule } from '../../../../src/core/rules/optimizerRule';

/**
 * A long vector's optimizer rule traced and checked at two small lengths, compiled at full length
 * (traceRuleAtSmallLength.ts, initAtSmallLength.ts): the same float32 values as the rule on tensors at
 * full length, step for step, including paths the rule takes mid-run (SGD's first momentum step, RAdam's
 * switch, ASGD's averaging); a rule whose scalars depend on the length is traced at full length instead.
 */

const N = SMALL_TRACE_MIN + 1_003;
const STEPS = 8;
const start = (n: number) => Float32Array.from({ length: n }, (_, i) => 2 * Math.cos(3 * i));
const gradAt = (x: Float32Array) => Float32Array.from(x, (v, i) => (0.5 + (i % 7) / 3) * v - Math.sin(i));
const lrAt = (k: number, base: number) => base * (1 + 0.5 * Math.sin(k));

function compiledRun(arrays: ArrayOptimizer<CompiledRuleState>, lr: number): { xs: Float32Array[]; state: CompiledRuleState } {
  let x = start(N);
  const state = arrays.init(x);
  const xs: Float32Array[] = [];
  for (let k = 0; k < STEPS; k++) {
    const out = new Float32Array(N);
    arrays.update({ params: x, paramsOut: out, grad: gradAt(x), loss: 0, lr: lrAt(k, lr), step: k, evaluate: () => assert.fail() }, state);
    xs.push(out);
    x = out;
  }
  return { xs, state };
}

function tensorRun(optimizer: Optimizer, lr: number): Float32Array[] {
  let x = tf.tensor1d(start(N));
  let state = optimizer.init(x);
  const xs: Float32Array[] = [];
  for (let k = 0; k < STEPS; k++) {
    const grad = tf.tensor1d(gradAt(x.dataSync() as Float32Array));
    const loss = tf.scalar(0);
    const r = optimizer.update({ params: x, grad, loss, lr: lrAt(k, lr), step: k, evaluate: () => assert.fail(), hvp: () => assert.fail() }, state);
    tf.dispose([grad, loss, x]);
    x = r.params;
    state = r.state;
    xs.push(Float32Array.from(x.dataSync()));
  }
  x.dispose();
  optimizer.disposeState(state);
  return xs;
}

function firstDifference(a: Float32Array, b: Float32Array): string | undefined {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return `[${i}]: ${a[i]} (compiled) vs ${b[i]} (tensors)`;
  return undefined;
}

const CASES: { id: string; lr: number; hp: HpRecord }[] = [
  { id: 'adam', lr: 0.05, hp: {} },
  { id: 'adam', lr: 0.05, hp: { amsgrad: true, weight_decay: 0.1 } },
  { id: 'sgd', lr: 0.05, hp: { momentum: 0.9, nesterov: true } },
  { id: 'radam', lr: 0.05, hp: {} },
  { id: 'asgd', lr: 0.05, hp: { t0: 3 } },
  { id: 'rmsprop', lr: 0.01, hp: { centered: true, momentum: 0.5 } },
];

describe('optimizer rules on a long vector: traced and checked at a small length, run at full length', () => {
  before(async () => {
    await tf.setBackend('cpu');
    await tf.ready();
  });

  for (const { id, lr, hp } of CASES) {
    it(`${id} ${JSON.stringify(hp)}: n = ${N}, the small-length kernels give the tensor rule's values at every step`, () => {
      const before = tf.memory().numTensors;
      const compiled = compiledRun(createOptimizer(id, hp).arrays as ArrayOptimizer<CompiledRuleState>, lr);
      const tensors = tensorRun(createOptimizer(id, hp), lr);
      const kernels = compiled.state.slots[0].kernels;
      assert.deepEqual(kernels[0].checkedAtLengths, smallSizesFor(N), 'the first kernel was traced at the small lengths');
      assert.ok(kernels.every((k) => k.checkedAtLengths !== undefined), 'every path of the run was traced at a small length');
      compiled.xs.forEach((x, k) => assert.equal(firstDifference(x, tensors[k]), undefined, `step ${k + 1}`));
      assert.equal(tf.memory().numTensors, before, 'tensors leaked');
    });
  }

  it('a rule whose scalars depend on the length is traced at full length, and still agrees with tensors', () => {
    type State = { m: tf.Tensor };
    const perLength: OptimizerRule<State, { lr: number }> = {
      defaults: { lr: 0.1 },
      init: (param) => ({ m: tf.zerosLike(param) }),
      update: (grad, state, param, hp) => {
        const m = state.m.mul(0.5).add(grad);
        return { param: param.sub(m.mul(hp.lr / Math.sqrt(param.size))), state: { m } };
      },
    };
    const result = compileRule('perLength', perLength as unknown as OptimizerRule, { lr: 0.1 }, [{ name: '', shape: [N] }]);
    assert.ok('arrays' in result);
    const compiled = compiledRun(result.arrays as ArrayOptimizer<CompiledRuleState>, 0.1);
    assert.equal(compiled.state.slots[0].kernels[0].checkedAtLengths, undefined, 'traced at full length');
    let x = start(N);
    let m = new Float32Array(N);
    compiled.xs.forEach((got, k) => {
      const step = Math.fround(lrAt(k, 0.1) / Math.sqrt(N));
      const g = gradAt(x);
      m = Float32Array.from(m, (v, i) => Math.fround(Math.fround(v * 0.5) + g[i]));
      x = Float32Array.from(x, (v, i) => Math.fround(v - Math.fround(m[i] * step)));
      assert.equal(firstDifference(got, x), undefined, `step ${k + 1}`);
    });
  });

  it('an init computed from the parameters is compiled at full length from its small-length traces', () => {
    const before = tf.memory().numTensors;
    const rule = {
      defaults: { lr: 0.1 },
      init: (param: tf.Tensor) => ({ anchor: param.mul(2).add(1), count: 3 }),
      update: (grad: tf.Tensor, state: Record<string, unknown>, param: tf.Tensor) => ({ param: param.sub(grad), state }),
    } as unknown as OptimizerRule;
    const x = start(N);
    const init = compileInitAtSmallLength(rule, { lr: 0.1 }, N, smallSizesFor(N), x);
    assert.ok(!('reason' in init), 'reason' in init ? init.reason : '');
    assert.deepEqual(init.keys, ['anchor']);
    assert.deepEqual(init.numbers, { count: 3 });
    assert.deepEqual(init.shapes, [[N]]);
    const [anchor] = init.apply(x);
    assert.equal(firstDifference(anchor, Float32Array.from(x, (v) => Math.fround(Math.fround(v * 2) + 1))), undefined);
    assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  });
});
