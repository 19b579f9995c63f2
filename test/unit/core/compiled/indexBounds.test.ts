import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { CompiledValueAndGrad, type TensorObjective } from '../../../../src/core/compiled/compileValueAndGrad';
import { SMALL_TRACE_MIN, smallSizesFor } from '../../../../src/core/compiled/sizeGeneric';
import { traceProgram } from '../../../../src/core/compiled/traceProgram';
import { selectBackend } from '../../../../src/runner/backend';
import { assertClose } from './compiledCheck';

/**
 * Objectives written for one length index it with hard-coded positions. Traced at a small length
 * (sizeGeneric.ts), such a position is past the input: TensorFlow.js's wasm kernels would read (or
 * write) outside their memory. The tracer refuses the kernel first, so the objective is traced at full
 * length, computes what TensorFlow.js computes, and the backend still works afterwards.
 */

const FULL = SMALL_TRACE_MIN + 4_467;

function point(n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => 0.5 + 0.25 * Math.sin(i));
}

function tfjsAt(f: TensorObjective, x: Float32Array): { loss: number; grad: Float32Array } {
  return tf.tidy(() => {
    const { value, grad } = tf.valueAndGrad((p: tf.Tensor) => f(p as tf.Tensor1D, []))(tf.tensor1d(x));
    return { loss: value.dataSync()[0], grad: Float32Array.from(grad.dataSync()) };
  });
}

const LAST = FULL - 1;
const OBJECTIVES: Record<string, TensorObjective> = {
  'a gather of the last entry': (p) => tf.gather(p, tf.tensor1d([LAST, 3, LAST - 10], 'int32')).square().sum().add(p.square().sum()) as tf.Scalar,
  'a gather along axis 1 of a reshape': (p) => tf.gather(p.reshape([1, -1]), tf.tensor1d([LAST], 'int32'), 1).square().sum().add(p.sum()) as tf.Scalar,
};

/** Kernels with no gradient, traced as a projection or a rule's update is (no tf.grad around them). */
const FORWARD: Record<string, { run: (x: tf.Tensor) => tf.Tensor; refusal: RegExp }> = {
  gatherND: { run: (x) => tf.gatherND(x, tf.tensor2d([[LAST], [3]], [2, 1], 'int32')), refusal: /gatherND index \d+ is outside axis 0 of shape \[\d+\]$/ },
  tensorScatterUpdate: { run: (x) => tf.tensorScatterUpdate(x, tf.tensor2d([[LAST]], [1, 1], 'int32'), tf.tensor1d([7])), refusal: /tensorScatterUpdate index \d+ is outside axis 0/ },
  scatterND: { run: (x) => tf.scatterND(tf.tensor2d([[LAST]], [1, 1], 'int32'), tf.tensor1d([7]), [x.shape[0]]).add(x), refusal: /scatterND index \d+ is outside axis 0/ },
};

describe('hard-coded indices past a small trace length, on the wasm backend', () => {
  before(async () => {
    const choice = await selectBackend('wasm');
    if (choice.backend !== 'wasm') throw new Error('could not switch to wasm');
  });
  after(async () => {
    await tf.setBackend('cpu');
  });

  for (const [name, f] of Object.entries(OBJECTIVES)) {
    it(`${name}: traced at full length, the values TensorFlow.js gives`, () => {
      const before = tf.memory().numTensors;
      const compiled = new CompiledValueAndGrad(f, FULL);
      const x = point(FULL);
      const grad = new Float32Array(FULL);
      const loss = compiled.run(x, [], grad);
      // The tracer's own refusal: the same reason on every backend (wasm's GatherV2 happens to assert too).
      assert.match(compiled.checkedAt ?? '', /^traced and checked at full length: it does not trace at \d+ parameters \(gather of index \d+ is outside axis/);
      const expected = tfjsAt(f, x);
      assertClose([loss], [expected.loss], 1e-4, 'loss');
      assertClose(grad, expected.grad, 1e-4, 'gradient');
      assert.equal(tf.memory().numTensors, before, 'tensors leaked');
    });
  }

  for (const [name, { run, refusal }] of Object.entries(FORWARD)) {
    it(`${name} at a position past a small trace is refused before the kernel runs, and the backend still works`, () => {
      const before = tf.memory().numTensors;
      const small = tf.tensor1d(point(smallSizesFor(FULL)[0]));
      assert.throws(() => traceProgram((x) => [run(x)], [small]), refusal);
      small.dispose();
      // In range at full length: traced, and the values are TensorFlow.js's.
      const full = tf.tensor1d(point(FULL));
      const { results } = traceProgram((x) => [run(x)], [full]);
      const expected = tf.tidy(() => Float32Array.from(run(full).dataSync()));
      full.dispose();
      assertClose(results[0], expected, 0, name);
      assert.equal(tf.memory().numTensors, before, 'tensors leaked');
    });
  }
});
