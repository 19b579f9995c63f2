import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { traceProgram } from '../../../../src/core/compiled/traceProgram';
import { hessianVectorProduct, type FlatObjective } from '../../../../src/core/curvature/hvp';
import { tileGradient } from '../../../../src/core/tfjs/tileGradient';
import { withSecondOrder } from '../../../../src/core/tfjs/secondOrderGradients';
import { forEachBackend } from '../../helpers/backends';

/**
 * Tile's gradient as a reshape and a sum (src/core/tfjs/tileGradient.ts) against the sum of dy's
 * copies computed here element by element, for ranks 1-4; and a batch-normalised objective's HVP,
 * whose gradient tiles the statistics, traces a few hundred kernels instead of one slice per copy.
 */
const CASES: Array<{ shape: number[]; reps: number[] }> = [
  { shape: [3], reps: [4] },
  { shape: [2, 3], reps: [3, 2] },
  { shape: [1, 2, 3], reps: [2, 1, 3] },
  { shape: [1, 1, 1, 4], reps: [5, 3, 2, 1] },
];

/** Σ over the copies of dy, by each element's position modulo x's shape. */
function expectedGradient(shape: number[], reps: number[], dy: Float32Array): number[] {
  const outShape = shape.map((s, a) => s * reps[a]);
  const out = new Array<number>(shape.reduce((a, b) => a * b, 1)).fill(0);
  const strides = (dims: number[]) => dims.map((_, a) => dims.slice(a + 1).reduce((p, q) => p * q, 1));
  const outStrides = strides(outShape);
  const xStrides = strides(shape);
  dy.forEach((value, flat) => {
    const target = outShape.reduce((acc, _, a) => acc + (Math.floor(flat / outStrides[a]) % outShape[a] % shape[a]) * xStrides[a], 0);
    out[target] += value;
  });
  return out;
}

describe('Tile gradient (reshape + sum)', () => {
  forEachBackend(() => {
    for (const { shape, reps } of CASES) {
      it(`x [${shape}] reps [${reps}]: the sum of dy's copies`, () => {
        const size = shape.reduce((a, b) => a * b, 1);
        const x = tf.tensor(Array.from({ length: size }, (_, i) => i), shape);
        const dyShape = shape.map((s, a) => s * reps[a]);
        const dyValues = Float32Array.from({ length: dyShape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(1.3 * i + 0.2));
        const dy = tf.tensor(dyValues, dyShape);
        const before = tf.memory().numTensors;
        const grad = tf.tidy(() => (tileGradient.gradFunc(dy, [x], { reps }) as { x: () => tf.Tensor }).x());
        assert.equal(tf.memory().numTensors, before + 1);
        assert.deepEqual(grad.shape, shape);
        const expected = expectedGradient(shape, reps, dyValues);
        Array.from(grad.dataSync()).forEach((g, i) => assert.ok(Math.abs(g - expected[i]) <= 1e-5 * Math.max(1, Math.abs(expected[i])), `[${i}] ${g} vs ${expected[i]}`));
        tf.dispose([x, dy, grad]);
      });
    }

    it("a batch-normalised objective's HVP traces no slice per copy of the statistics", () => {
      const images = tf.tensor(Array.from({ length: 8 * 6 * 6 * 3 }, (_, i) => Math.sin(0.7 * i)), [8, 6, 6, 3]);
      const f: FlatObjective = (p) => {
        const scaled = tf.mul(images, tf.reshape(p, [1, 1, 1, 3]));
        const { mean, variance } = tf.moments(scaled, [0, 1, 2]);
        return tf.sum(tf.square(tf.batchNorm(scaled, mean, variance, tf.tensor1d([0.1, 0, -0.2]), tf.tensor1d([1, 2, 0.5]), 1e-5))) as tf.Scalar;
      };
      const inputs = [tf.tensor1d([0.5, -1.2, 2]), tf.tensor1d([1, 0.3, -0.7])];
      const { program } = withSecondOrder(() => traceProgram((x, v) => [hessianVectorProduct(f, x as tf.Tensor1D, v as tf.Tensor1D)], inputs));
      tf.dispose([...inputs, images]);
      const slices = program.nodes.filter((n) => n.kernel === 'Slice').length;
      // Upstream's gradient sliced dy once per copy: 8·6·6 = 288 slices here.
      assert.ok(slices < 10, `${slices} slices of ${program.nodes.length} kernels`);
    });
  });
});
