import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { CompiledValueAndGrad } from '../../../src/core/compiled/compileValueAndGrad';
import { createOptimizer } from '../../../src/core/optimizers/registry';
import { planArrayPath, type ArrayPathInput } from '../../../src/runner/arrayPath';
import { Dataset, type Batch } from '../../../src/runner/dataset';

/**
 * A compiled run's final point on the whole data set (arrayPath.ts, finalOnTensors.ts): a single run
 * evaluates it once on tensors instead of compiling that shape; a sweep's kept objective compiles it.
 */
const ROWS = 10;
const features = Float32Array.from({ length: ROWS * 3 }, (_, i) => Math.sin(i * 0.7));
const targets = Float32Array.from({ length: ROWS }, (_, i) => Math.cos(i));
const x0 = Float32Array.from([0.3, -0.2, 0.5]);
const STEPS = 7;

function setUp(compiledObjective?: ArrayPathInput['compiledObjective']) {
  const dataset = new Dataset(new Map<string, tf.Tensor>([['x', tf.tensor2d(features, [ROWS, 3])], ['y', tf.tensor1d(targets)]]), false, 4, 1);
  let current: Batch | undefined;
  const shapesSeen = new Set<string>();
  const f = (w: tf.Tensor1D): tf.Scalar => {
    const { x, y } = current as { x: tf.Tensor2D; y: tf.Tensor1D };
    shapesSeen.add(x.shape.join('x'));
    return tf.mean(tf.square(tf.sub(tf.squeeze(tf.matMul(x, tf.reshape(w, [3, 1])), [1]), y)));
  };
  const input: ArrayPathInput = {
    optimizer: createOptimizer('adam', {}), f, setBatch: (b) => (current = b), dataset, x0, steps: STEPS, disabled: false,
    ...(compiledObjective ? { compiledObjective } : {}),
  };
  return { input, dataset, shapesSeen, f, setBatch: (b: Batch | undefined) => (current = b) };
}

describe('runner: a compiled run\'s final point on the whole data set', () => {
  before(async () => {
    await tf.setBackend('cpu');
    await tf.ready();
  });

  it('is evaluated on tensors, not compiled at that shape, with TF.js\'s value, gradient and norm', () => {
    const before = tf.memory().numTensors;
    const { input, dataset, shapesSeen, f, setBatch } = setUp();
    const { plan } = planArrayPath(input, tf);
    assert.ok(plan, 'the run is compiled');
    assert.deepEqual([...shapesSeen].sort(), ['2x3', '4x3'], 'the batch shapes traced: a full batch and the short last one');
    const x = Float32Array.from([0.1, 0.4, -0.3]);
    const grad = new Float32Array(3);
    const loss = plan.objective.valueAndGrad(x, STEPS, grad);
    assert.deepEqual([...shapesSeen].sort(), ['10x3', '2x3', '4x3'], 'the final point read every sample');
    const all = dataset.all();
    setBatch(all);
    const expected = tf.tidy(() => {
      const { value, grad: g } = tf.valueAndGrad(f)(tf.tensor1d(x));
      return { value: value.dataSync()[0], grad: Array.from(g.dataSync()) };
    });
    setBatch(undefined);
    tf.dispose(Object.values(all as Record<string, tf.Tensor>));
    assert.equal(loss, expected.value);
    assert.deepEqual(Array.from(grad), expected.grad);
    assert.equal(plan.objective.lastGradNormSq?.(), grad.reduce((s, g) => s + g * g, 0));
    // A step's evaluation is the compiled program's again, with its own norm.
    plan.objective.valueAndGrad(x, 0, grad);
    assert.ok(Math.abs((plan.objective.lastGradNormSq?.() ?? NaN) - grad.reduce((s, g) => s + g * g, 0)) <= 1e-6 * grad.reduce((s, g) => s + g * g, 0));
    dataset.dispose();
    assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  });

  it("is compiled for a sweep's kept objective, which evaluates that shape once per configuration", () => {
    const { input, dataset, shapesSeen } = setUp((objective, size) => new CompiledValueAndGrad(objective, size));
    const { plan } = planArrayPath(input, tf);
    assert.ok(plan);
    assert.deepEqual([...shapesSeen].sort(), ['10x3', '2x3', '4x3']);
    dataset.dispose();
  });
});
