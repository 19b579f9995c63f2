import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { traceProgram } from '../../../../src/core/compiled/traceProgram';
import { valueGraph } from '../../../../src/core/compiled/valueGraph';
import { expectSameAsTfjs, useCpuBackend, valueAndGrads } from './compiledCheck';

/**
 * Step(x) reads Relu(x) when the program computed it (valueGraph.ts): relu's gradient then needs the stored
 * activation only, not the pre-activation too. Held to TensorFlow.js's own Step on the values where the two
 * could part (signed zeros, infinities, NaN, the smallest subnormals) and to a compiled gradient; and the
 * rewrite's effect: the pre-activation has Relu as its only reader.
 */
const SPECIALS = [NaN, Infinity, -Infinity, -0, 0, 1e-45, -1e-45, -3, 2.5, 3.4e38, -3.4e38].map(Math.fround);

describe('Step of the Relu instead of the pre-activation', () => {
  useCpuBackend();

  it('TensorFlow.js\'s step(relu(x)) is its step(x) on every special value, for alpha 0 and not', () => {
    for (const alpha of [0, 0.5, -2]) {
      const [direct, viaRelu] = tf.tidy(() => {
        const x = tf.tensor1d(SPECIALS);
        return [tf.step(x, alpha).arraySync(), tf.step(tf.relu(x), alpha).arraySync()];
      });
      direct.forEach((v, i) => assert.ok(Object.is(v, viaRelu[i]), `alpha ${alpha}, x = ${SPECIALS[i]}: ${v} vs ${viaRelu[i]}`));
    }
  });

  it('compiles relu\'s gradient and a step with alpha beside a relu to TensorFlow.js\'s values', () => {
    const x = { values: SPECIALS.filter((v) => !Number.isNaN(v)).concat([0.25, -0.75, 7]), shape: [13] };
    expectSameAsTfjs(valueAndGrads((t) => tf.relu(tf.mul(t, 1.5))), [x], 0, 'relu and its gradient');
    expectSameAsTfjs((t) => [tf.add(tf.relu(t), tf.step(t, 0.5))], [x], 0, 'relu + step(alpha 0.5)');
  });

  it('leaves the pre-activation one reader, the Relu; a Step with no Relu before it reads its input', () => {
    const x = tf.tensor2d([[1, -2, 0, 3], [-0.5, 4, -1, 2]]);
    try {
      const traced = traceProgram((t) => valueAndGrads((u) => tf.relu(tf.add(u, 0.1)))(t), [x]).program;
      const graph = valueGraph(traced);
      const steps = graph.program.nodes.filter((n) => n.kernel === 'Step');
      assert.equal(steps.length, 1);
      const relu = graph.program.nodes.find((n) => n.kernel === 'Relu' && graph.root(n.outputs[0]) === graph.root(steps[0].inputs[0].value));
      assert.ok(relu, 'the step reads a relu\'s output');
      const readers = [...graph.readersOf(graph.root(relu.inputs[0].value))].map((i) => graph.program.nodes[i].kernel);
      assert.deepEqual(readers, ['Relu'], 'the pre-activation\'s readers');
      const alone = valueGraph(traceProgram((t) => [tf.step(t)], [x]).program);
      const step = alone.program.nodes.find((n) => n.kernel === 'Step');
      assert.equal(step?.inputs[0].value, alone.program.inputs[0], 'without a relu the step reads x');
    } finally {
      x.dispose();
    }
  });
});
