import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { relativeError } from '../../../../src/core/compiled/agreement';
import { compileProgram, scheduleOf } from '../../../../src/core/compiled/compileProgram';
import { factorSums } from '../../../../src/core/compiled/factorSums';
import { fuseLoops } from '../../../../src/core/compiled/fuseLoops';
import type { Program } from '../../../../src/core/compiled/program';
import type { Schedule } from '../../../../src/core/compiled/schedule';
import { traceProgram } from '../../../../src/core/compiled/traceProgram';
import { valueGraph } from '../../../../src/core/compiled/valueGraph';
import { ARITH_TOL, expectSameAsTfjs, spread, useCpuBackend, valueAndGrads } from './compiledCheck';

/**
 * Factors constant along a sum's axes taken out of it (factorSums.ts): the batch-norm gradient's sums of
 * products with per-channel factors become fewer sums, one of them in the forward pass's loop, so the
 * backward pass goes over the activations once less; values stay TensorFlow.js's within the tolerance the
 * normalisation tests use; a number the same everywhere stays inside its sum.
 */
const float = (shape: number[], offset: number) => ({ values: spread(shape.reduce((a, b) => a * b, 1), offset), shape });

function trace(fn: (...t: tf.Tensor[]) => tf.Tensor[], inputs: { values: number[]; shape: number[] }[]): Program {
  const tensors = inputs.map((i) => tf.tensor(i.values, i.shape));
  try {
    return traceProgram(fn, tensors).program;
  } finally {
    tf.dispose(tensors);
  }
}

const loopsOver = (schedule: Schedule, size: number) => schedule.steps.filter((s) => s.kind === 'loop' && s.loop.size === size);
const rowSums = (schedule: Schedule, size: number) => loopsOver(schedule, size).reduce((n, s) => n + (s.kind === 'loop' ? s.loop.ops.filter((op) => op.kind === 'reduceRows').length : 0), 0);
const sums = (program: Program) => program.nodes.filter((n) => n.kernel === 'Sum').length;

const batchNormRelu = (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor => {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.relu(tf.batchNorm(x as tf.Tensor4D, mean, variance, beta as tf.Tensor1D, gamma as tf.Tensor1D, 1e-5));
};

describe('compiled programs: factors constant along a sum taken out of it', () => {
  useCpuBackend();

  it("a batch-norm layer's gradient: one pass over the activations fewer, half the row sums, TensorFlow.js's values", () => {
    const inputs = [float([4, 5, 6, 8], 1), { values: spread(8, 2).map((v) => 1 + 0.25 * v), shape: [8] }, float([8], 3)];
    const program = trace(valueAndGrads(batchNormRelu), inputs);
    const before = fuseLoops(valueGraph(program), [1]);
    const after = scheduleOf(program, [1]);
    const size = 4 * 5 * 6 * 8;
    assert.equal(loopsOver(after, size).length, loopsOver(before, size).length - 1, 'passes over the activations');
    // The backward pass's five sums over the activations are three: two sums of products, and the sum of the
    // centred values, which joins a forward loop.
    assert.equal(rowSums(after, size), rowSums(before, size) - 2, 'row sums over the activations');
    // Element by element the gradient with respect to x cancels (the mean's and the variance's terms), so its
    // sums in another order are held as normalisation.test.ts holds them, relative to the output's norm.
    const tensors = inputs.map((i) => tf.tensor(i.values, i.shape));
    try {
      const { results } = traceProgram(valueAndGrads(batchNormRelu), tensors);
      const compiled = compileProgram(program);
      const actual = compiled.outputSizes.map((n) => new Float32Array(n));
      compiled.run(inputs.map((i) => Float32Array.from(i.values)), actual);
      results.forEach((expected, k) => assert.ok(relativeError(actual[k], expected) <= 1e-5, `output ${k}: ${relativeError(actual[k], expected)} relative`));
    } finally {
      tf.dispose(tensors);
    }
  });

  it('Σ x·c over the rows, c per column: c multiplies the sum of x, and the sum is what TensorFlow.js computes', () => {
    const fn = (x: tf.Tensor, c: tf.Tensor) => [tf.sum(tf.mul(x, c), 0)];
    const inputs = [float([9, 8], 1), float([8], 2)];
    const factored = factorSums(trace(fn, inputs));
    const sum = factored.nodes.find((n) => n.kernel === 'Sum');
    assert.ok(sum, 'a sum');
    assert.equal(sum.inputs[0].value, factored.inputs[0], 'the sum reads x itself');
    const last = factored.nodes[factored.nodes.length - 1];
    assert.equal(last.kernel, 'Multiply');
    assert.deepEqual(last.inputs.map((i) => i.value), [sum.outputs[0], factored.inputs[1]], 'then the sum times c');
    expectSameAsTfjs(fn, inputs, ARITH_TOL * 10, 'Σ x·c');
  });

  it('two sums of x times different per-column factors are one sum of x', () => {
    const fn = (x: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => [tf.sum(tf.mul(x, a), 0), tf.sum(tf.div(tf.mul(b, x), a), 0)];
    const inputs = [float([7, 4], 1), { ...float([4], 2), values: spread(4, 2).map((v) => 1.5 + v / 4) }, float([4], 3)];
    const program = trace(fn, inputs);
    assert.equal(sums(program), 2);
    assert.equal(sums(factorSums(program)), 1);
    expectSameAsTfjs(fn, inputs, ARITH_TOL * 10, 'two sums');
  });

  it('a number the same everywhere stays inside the sum (it would only round elsewhere), and a varying divisor keeps it whole', () => {
    const same = trace((x: tf.Tensor) => [tf.sum(tf.mul(x, 1.5), 0)], [float([5, 4], 1)]);
    assert.equal(factorSums(same), same);
    const divisor = trace((x: tf.Tensor, c: tf.Tensor) => [tf.sum(tf.div(c, x), 0)], [{ values: spread(20, 1).map((v) => v + 3), shape: [5, 4] }, float([4], 2)]);
    assert.equal(factorSums(divisor), divisor);
    // Over an axis of length 1, c is all there is: what would stay in is the 2, which does not span [1, 4].
    const lone = (c: tf.Tensor) => [tf.sum(tf.mul(tf.reshape(c, [1, 4]), 2), 0)];
    const single = trace(lone, [float([4], 3)]);
    assert.equal(factorSums(single), single);
    expectSameAsTfjs(lone, [float([4], 3)], ARITH_TOL, 'a sum over an axis of length 1');
  });
});
