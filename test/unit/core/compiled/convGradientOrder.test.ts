import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { relativeError } from '../../../../src/core/compiled/agreement';
import { sharedTemps } from '../../../../src/core/compiled/bufferLifetimes';
import { compileProgram } from '../../../../src/core/compiled/compileProgram';
import { loweringOrder } from '../../../../src/core/compiled/convGradientOrder';
import { fuseLoops } from '../../../../src/core/compiled/fuseLoops';
import { traceProgram } from '../../../../src/core/compiled/traceProgram';
import { valueGraph } from '../../../../src/core/compiled/valueGraph';
import { spread, useCpuBackend } from './compiledCheck';

/**
 * A convolution's filter gradient is lowered before its input gradient (convGradientOrder.ts), so the input
 * gradient's patch matrix shares the bytes of the forward convolution's, dead by then; the gradients stay
 * TensorFlow.js's.
 */
describe('compiled convolutions: the filter gradient before the input gradient', () => {
  useCpuBackend();

  it('two conv layers: each filter gradient call precedes its input gradient call, the patch matrices share bytes, the gradients agree', () => {
    const shapes = [[4, 9, 9, 3], [3, 3, 3, 8], [3, 3, 8, 6]];
    const values = shapes.map((s, k) => spread(s.reduce((a, b) => a * b, 1), k + 1).map((v) => 0.3 * v));
    const tensors = values.map((v, k) => tf.tensor(v, shapes[k]));
    const loss = (x: tf.Tensor, f1: tf.Tensor, f2: tf.Tensor) => {
      const h = tf.relu(tf.conv2d(x as tf.Tensor4D, f1 as tf.Tensor4D, 1, 'same'));
      return tf.sum(tf.square(tf.conv2d(h, f2 as tf.Tensor4D, 2, 1)));
    };
    try {
      const { program, results } = traceProgram((x, f1, f2) => tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => loss(a, b, c) as tf.Scalar)([x, f1, f2]), tensors);
      const graph = valueGraph(program);
      const kernels = loweringOrder(graph).map((index) => program.nodes[index].kernel).filter((k) => k.startsWith('Conv2DBackprop'));
      assert.deepEqual(kernels.slice(0, 2), ['Conv2DBackpropFilter', 'Conv2DBackpropInput'], kernels.join(' '));
      const schedule = fuseLoops(graph);
      const calls = schedule.steps.flatMap((step) => (step.kind === 'call' && step.kernel.startsWith('conv2d') ? [step] : []));
      const [forward, filter, input] = ['conv2d', 'conv2dBackpropFilter', 'conv2dBackpropInput'].map((kernel) => calls.findIndex((c) => c.kernel === kernel));
      assert.ok(forward >= 0 && filter > forward && input > filter, calls.map((c) => c.kernel).join(' '));
      // Argument 3 of conv2d and conv2dBackpropInput is the patch matrix (convCalls.ts).
      const patchesOf = (k: number) => (calls[k].args[3] as { buffer: number }).buffer;
      const secondForward = calls.findIndex((c, k) => c.kernel === 'conv2d' && k > forward);
      const { offsets } = sharedTemps(schedule);
      assert.equal(offsets.get(patchesOf(input)), offsets.get(patchesOf(secondForward)), 'the input gradient writes its patches over the forward patches');
      const compiled = compileProgram(program);
      const actual = compiled.outputSizes.map((n) => new Float32Array(n));
      compiled.run(values.map((v) => Float32Array.from(v)), actual);
      results.forEach((expected, k) => assert.ok(relativeError(actual[k], expected) <= 1e-5, `gradient ${k}: ${relativeError(actual[k], expected)}`));
    } finally {
      tf.dispose(tensors);
    }
  });
});
