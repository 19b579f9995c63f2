import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { ParamLayout, type Params } from '../../../src/core/paramLayout';
import { prepareObjective, type UserObjective } from '../../../src/runner/objectives';
import { createRng, mixSeed } from '../../../src/runner/rng';

/**
 * The parameters' initial values made on the host (initParams.ts): every init form gives the flat float32
 * values TensorFlow.js gave (tensors flattened by the layout), no tensor is made until the run asks for x0's,
 * and the one it asks for is freed with the objective.
 */

const objective = (init: unknown): UserObjective => Object.assign(() => tf.scalar(0), { init }) as unknown as UserObjective;

/** The flat values as the tensor path made them: each init as a float32 tensor, flattened by the layout. */
function viaTensors(make: () => Params): Float32Array {
  return tf.tidy(() => {
    const params = make();
    return Float32Array.from(ParamLayout.of(params).flatten(params).dataSync());
  });
}

describe('initial parameters on the host', () => {
  before(async () => {
    await tf.setBackend('cpu');
    await tf.ready();
  });

  const seed = 5;
  const rng = () => createRng(mixSeed(seed, 0));
  const normals = (n: number, std: number) => {
    const r = rng();
    return Array.from({ length: n }, () => r.normal(0, std));
  };
  const cases: { name: string; init: unknown; expected: () => Float32Array; shapes: number[][] }[] = [
    { name: 'a fill', init: { shape: [70000], fill: 1.1 }, expected: () => viaTensors(() => tf.fill([70000], 1.1)), shapes: [[70000]] },
    { name: 'a matrix of N(0, 1/fan_in)', init: { shape: [3, 4] }, expected: () => viaTensors(() => tf.tensor(normals(12, 1 / Math.sqrt(3)), [3, 4], 'float32')), shapes: [[3, 4]] },
    { name: 'a vector (zeros)', init: { shape: [5] }, expected: () => new Float32Array(5), shapes: [[5]] },
    { name: 'nested arrays', init: [[0.1, 2], [3, -4.7]], expected: () => viaTensors(() => tf.tensor([[0.1, 2], [3, -4.7]], [2, 2], 'float32')), shapes: [[2, 2]] },
    { name: 'a number', init: 0.3, expected: () => Float32Array.of(0.3), shapes: [[]] },
    {
      name: 'a record of forms', init: { w: { shape: [2, 3], std: 0.5 }, b: [1, 2, 3], c: { shape: [2], fill: -2 } },
      expected: () => viaTensors(() => ({ w: tf.tensor(normals(6, 0.5), [2, 3], 'float32'), b: tf.tensor([1, 2, 3]), c: tf.fill([2], -2) })),
      shapes: [[2, 3], [3], [2]],
    },
  ];
  for (const c of cases) {
    it(`${c.name}: the values and layout TensorFlow.js gave, and no tensor until x0's is read`, () => {
      const expected = c.expected();
      const before = tf.memory().numTensors;
      const prepared = prepareObjective({ name: 'f', fn: objective(c.init) }, 'f.ts', seed, tf);
      assert.equal(tf.memory().numTensors, before, 'no tensor made by init');
      assert.deepEqual(Array.from(prepared.x0Values), Array.from(expected));
      assert.deepEqual(prepared.layout.slots.map((s) => s.shape), c.shapes);
      assert.deepEqual(Array.from(prepared.x0.dataSync()), Array.from(expected), 'x0\'s tensor holds the same values');
      assert.equal(prepared.x0, prepared.x0, 'one tensor, made once');
      assert.equal(tf.memory().numTensors, before + 1);
      prepared.dispose();
      assert.equal(tf.memory().numTensors, before, 'x0\'s tensor freed with the objective');
    });
  }

  it('a tensor init is copied (the user\'s tensor is neither kept nor disposed) and an int tensor becomes float32', () => {
    const user = tf.tensor1d([1, 2, 3], 'int32');
    const prepared = prepareObjective({ name: 'f', fn: objective(user) }, 'f.ts', seed, tf);
    assert.ok(prepared.x0Values instanceof Float32Array);
    assert.deepEqual(Array.from(prepared.x0Values), [1, 2, 3]);
    assert.ok(!user.isDisposed);
    prepared.dispose();
    user.dispose();
  });

  it('a bad fill still names the part of init', () => {
    assert.throws(() => prepareObjective({ name: 'f', fn: objective({ shape: [3], fill: Number.NaN }) }, 'f.ts', seed, tf), /init\.fill must be a finite number/);
  });
});
