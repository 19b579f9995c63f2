import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { relativeError } from '../../../../src/core/compiled/agreement';
import { sharedTemps } from '../../../../src/core/compiled/bufferLifetimes';
import { compileProgram } from '../../../../src/core/compiled/compileProgram';
import { loweringOrder } from '../../../../src/core/compiled/convGradientOrder';
import { fuseLoops } from '../../../../src/core/compiled/fuseLoops';
import { traceProgram } from '../../../../src/core/compiled/traceProgram';
import type { Program, ValueInfo } from '../../../../src/core/compiled/program';
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

  it('with a loop open from the first kernel, the filter gradient still reads the patches of the right image', () => {
    // The bias gradient Σ dy summed first, over the loss weights dy is (an order factorSums.ts could give): the
    // loop it opens stays open while the convolutions are lowered, and the bias gradient's loop opens after it.
    // The gradients' calls went among that loop's steps before, which ran ahead of the forward convolution (among
    // the first loop's): the filter gradient read patches not yet made (LoopFuser.beforeOpenLoops).
    const shapes = [[2, 7, 6, 5], [3, 3, 5, 12], [12]];
    const values = shapes.map((s, k) => spread(s.reduce((a, b) => a * b, 1), k + 1));
    const tensors = values.map((v, k) => tf.tensor(v, shapes[k]));
    const w = tf.tensor(spread(2 * 7 * 6 * 12, 4).map((v) => v + 0.5), [2, 7, 6, 12]);
    const layer = (x: tf.Tensor, f: tf.Tensor, b: tf.Tensor) => tf.add(tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'same'), b);
    try {
      const traced = traceProgram((x, f, b) => [layer(x, f, b), ...tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(layer(xs[0], xs[1], xs[2]), w)))([x, f, b])], tensors);
      const weights = [...traced.program.values.values()].find((v) => v.source.kind === 'constant' && v.shape.join() === '2,7,6,12');
      const biasSum = traced.program.nodes.findIndex((n) => n.kernel === 'Sum' && traced.program.values.get(n.outputs[0])?.shape.join() === '12');
      assert.ok(weights && biasSum >= 0, 'the loss weights are a constant, and the bias gradient a sum');
      // Σ w first; where the sum was, (Σ w · 2) / 2 (the same number), as factorSums leaves a sum's factors.
      const out = traced.program.nodes[biasSum].outputs[0];
      const [early, twice, two] = [1, 2, 3].map((k) => Math.max(...traced.program.values.keys()) + k);
      const infos = new Map(traced.program.values);
      for (const id of [early, twice]) infos.set(id, { id, shape: [12], dtype: 'float32', source: { kind: 'constant', values: new Float32Array(0) } });
      infos.set(two, { id: two, shape: [], dtype: 'float32', source: { kind: 'constant', values: Float32Array.of(2) } });
      const nodes = traced.program.nodes.flatMap((node, k) => k !== biasSum ? [node] : [
        { kernel: 'Multiply', inputs: [{ name: 'a', value: early }, { name: 'b', value: two }], attrs: {}, outputs: [twice] },
        { kernel: 'RealDiv', inputs: [{ name: 'a', value: twice }, { name: 'b', value: two }], attrs: {}, outputs: [out] },
      ]);
      nodes.unshift({ ...traced.program.nodes[biasSum], inputs: [{ name: 'x', value: weights.id }], outputs: [early] });
      nodes.forEach((node, at) => node.outputs.forEach((id, output) => infos.set(id, { ...(infos.get(id) as ValueInfo), source: { kind: 'node', node: at, output } })));
      const program: Program = { ...traced.program, nodes, values: infos as Program['values'] };
      const compiled = compileProgram(program);
      const actual = compiled.outputSizes.map((n) => new Float32Array(n));
      compiled.run(values.map((v) => Float32Array.from(v)), actual);
      traced.results.forEach((expected, k) => assert.ok(relativeError(actual[k], expected) <= 1e-5, `output ${k}: ${relativeError(actual[k], expected)}`));
    } finally {
      tf.dispose([...tensors, w]);
    }
  });
});
