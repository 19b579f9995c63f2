import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import type { ArrayOptimizer } from '../../../../src/core/arrays/contracts';
import { SMALL_TRACE_MIN, smallSizesFor } from '../../../../src/core/compiled/sizeGeneric';
import { createOptimizer } from '../../../../src/core/optimizers/registry';
import { compileRule, type CompiledRuleState } from '../../../../src/core/rules/compileRule';
import { compileInitAtSmallLength } from '../../../../src/core/rules/initAtSmallLength';
import type { OptimizerRule } from '../../../../src/core/rules/optimizerRule';
import { adam } from '../../../../src/core/rules/builtin/adam';

/**
 * A long vector's initial optimizer state (slotInitialState.ts, initAtSmallLength.ts): written once into the
 * kernel's memory at the run, a fill without running the init's program, and nothing of the full length made
 * by the compile before the run (shapes known): the state the run starts from is its own parameters', not the
 * trial values', step for step equal to the rule on tensors.
 */

const N = SMALL_TRACE_MIN + 1_003;
const STEPS = 4;
const start = (n: number) => Float32Array.from({ length: n }, (_, i) => 2 * Math.cos(3 * i));
const gradAt = (x: Float32Array) => Float32Array.from(x, (v, i) => (0.5 + (i % 7) / 3) * v - Math.sin(i));

function firstDifference(a: Float32Array, b: Float32Array): string | undefined {
  if (a.length !== b.length) return `lengths ${a.length} vs ${b.length}`;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return `[${i}]: ${a[i]} (compiled) vs ${b[i]} (expected)`;
  return undefined;
}

function compiledRun(arrays: ArrayOptimizer<CompiledRuleState>, lr: number): Float32Array[] {
  let x = start(N);
  const state = arrays.init(x);
  const xs: Float32Array[] = [];
  for (let k = 0; k < STEPS; k++) {
    const out = new Float32Array(N);
    arrays.update({ params: x, paramsOut: out, grad: gradAt(x), loss: 0, lr, step: k, evaluate: () => assert.fail() }, state);
    xs.push(out);
    x = out;
  }
  arrays.release?.(state);
  return xs;
}

function tensorRun(lr: number): Float32Array[] {
  const optimizer = createOptimizer('adam', {});
  let x = tf.tensor1d(start(N));
  let state = optimizer.init(x);
  const xs: Float32Array[] = [];
  for (let k = 0; k < STEPS; k++) {
    const grad = tf.tensor1d(gradAt(x.dataSync() as Float32Array));
    const loss = tf.scalar(0);
    const r = optimizer.update({ params: x, grad, loss, lr, step: k, evaluate: () => assert.fail(), hvp: () => assert.fail() }, state);
    tf.dispose([grad, loss, x]);
    x = r.params;
    state = r.state;
    xs.push(Float32Array.from(x.dataSync()));
  }
  x.dispose();
  optimizer.disposeState(state);
  return xs;
}

describe('a long vector\'s initial optimizer state', () => {
  before(async () => {
    await tf.setBackend('cpu');
    await tf.ready();
  });

  it('adam compiled with its shapes known (before the run, on trial values) gives the tensor rule\'s values at every step', () => {
    const before = tf.memory().numTensors;
    const result = compileRule('adam', adam as unknown as OptimizerRule, { ...adam.defaults }, [{ name: '', shape: [N] }]);
    assert.ok('arrays' in result, 'reason' in result ? result.reason : '');
    const compiled = compiledRun(result.arrays as ArrayOptimizer<CompiledRuleState>, 0.05);
    const tensors = tensorRun(0.05);
    compiled.forEach((x, k) => assert.equal(firstDifference(x, tensors[k]), undefined, `step ${k + 1}`));
    assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  });

  it('an init computed from the parameters starts from the run\'s parameters, not the trial ones of the compile before it', () => {
    type State = { anchor: tf.Tensor };
    // param ← anchor − lr·grad, anchor = 2·x0 + 1 from init: the first step shows which parameters init saw.
    const anchored: OptimizerRule<State, { lr: number }> = {
      defaults: { lr: 0.1 },
      init: (param) => ({ anchor: param.mul(2).add(1) }),
      update: (grad, state, _param, hp) => ({ param: state.anchor.sub(grad.mul(hp.lr)), state }),
    };
    const result = compileRule('anchored', anchored as unknown as OptimizerRule, { lr: 0.1 }, [{ name: '', shape: [N] }]);
    assert.ok('arrays' in result, 'reason' in result ? result.reason : '');
    const [first] = compiledRun(result.arrays as ArrayOptimizer<CompiledRuleState>, 0.1);
    const x0 = start(N);
    const g = gradAt(x0);
    const lr = Math.fround(0.1);
    const expected = Float32Array.from(x0, (v, i) => Math.fround(Math.fround(Math.fround(v * 2) + 1) - Math.fround(g[i] * lr)));
    assert.equal(firstDifference(first, expected), undefined);
  });

  it('applyInto fills a state of zeros in place, leaves zeroed targets alone, and computes a state of the parameters', () => {
    const before = tf.memory().numTensors;
    const x = start(N);
    const zeros = compileInitAtSmallLength(adam as unknown as OptimizerRule, { ...adam.defaults }, N, smallSizesFor(N), x);
    assert.ok(!('reason' in zeros), 'reason' in zeros ? zeros.reason : '');
    const targets = [new Float32Array(N).fill(7), new Float32Array(N).fill(7)];
    zeros.applyInto(x, targets);
    targets.forEach((t, j) => assert.equal(firstDifference(t, new Float32Array(N)), undefined, `state ${zeros.keys[j]}`));
    const untouched = [new Float32Array(N).fill(7), new Float32Array(N).fill(7)];
    zeros.applyInto(x, untouched, true);
    assert.ok(untouched.every((t) => t.every((v) => v === 7)), 'a zero state is not written into targets said to hold zeros');
    assert.deepEqual(zeros.sample(x).map((s) => s.length), [smallSizesFor(N)[1], smallSizesFor(N)[1]], 'the sample is the small length\'s state');

    const computed = compileInitAtSmallLength({
      defaults: { lr: 0.1 }, init: (param: tf.Tensor) => ({ anchor: param.mul(2).add(1) }), update: () => assert.fail(),
    } as unknown as OptimizerRule, { lr: 0.1 }, N, smallSizesFor(N), x);
    assert.ok(!('reason' in computed), 'reason' in computed ? computed.reason : '');
    const anchor = [new Float32Array(N)];
    computed.applyInto(x, anchor, true);
    assert.equal(firstDifference(anchor[0], Float32Array.from(x, (v) => Math.fround(Math.fround(v * 2) + 1))), undefined);
    assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  });
});
