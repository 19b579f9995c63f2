import * as tf from '@tensorflow/tfjs';
import { ARITH_TOL, expectSameAsTfjs, spread, useCpuBackend, valueAndGrads, type TestInput } from './compiledCheck';

/**
 * Reductions accumulate inside the loop that produces their input; values and
 * gradients over all axes, one axis, several axes and with keepDims match
 * TensorFlow.js.
 */
type Reduce = (x: tf.Tensor, axis?: number | number[], keepDims?: boolean) => tf.Tensor;

const T3: TestInput = { values: spread(24).map((v) => v + 0.1), shape: [2, 3, 4] };
/** Strictly positive values away from 1, so products stay well conditioned. */
const POS: TestInput = { values: spread(24).map((v) => 1.1 + 0.2 * v), shape: [2, 3, 4] };

const REDUCTIONS: [string, Reduce, TestInput][] = [
  ['sum', tf.sum, T3],
  ['mean', tf.mean, T3],
  ['max', tf.max, T3],
  ['min', tf.min, T3],
  ['prod', tf.prod, POS],
];
const AXES: [string, number | number[] | undefined, boolean][] = [
  ['all axes', undefined, false],
  ['all axes, keepDims', undefined, true],
  ['axis 0', 0, false],
  ['axis 1', 1, false],
  ['last axis (-1)', -1, false],
  ['axis 1, keepDims', 1, true],
  ['axes [0, 2]', [0, 2], false],
  ['axes [1, 2], keepDims', [1, 2], true],
];

describe('compiled programs: reductions match TensorFlow.js, value and gradient', () => {
  useCpuBackend();

  for (const [name, reduce, input] of REDUCTIONS) {
    for (const [axesName, axis, keepDims] of AXES) {
      // TensorFlow.js's gradient of prod builds a transpose with the negative axis itself (it throws).
      if (name === 'prod' && axesName.includes('-1')) continue;
      it(`${name} over ${axesName}`, () => {
        // Reduced after an elementwise op, so the reduction sits inside a fused loop.
        const op = (x: tf.Tensor) => reduce(tf.mul(x, 1.5), axis, keepDims);
        expectSameAsTfjs(valueAndGrads(op), [input], ARITH_TOL * 10, `${name} ${axesName}`);
      });
    }
  }

  it('max with ties: TensorFlow.js sends the gradient to every tied element', () => {
    const op = (x: tf.Tensor) => tf.max(x, 1);
    expectSameAsTfjs(valueAndGrads(op), [{ values: [1, 3, 3, -1, 0, 0, -2, -2, 2, 2, 2, 2], shape: [3, 4] }], ARITH_TOL, 'max ties');
  });

  it('a reduction of a reduction, and a reduction read back by the same-size loop (x − mean x)', () => {
    const op = (x: tf.Tensor) => {
      const centred = tf.sub(x, tf.mean(x, 1, true));
      return tf.add(tf.sum(tf.square(centred)), tf.sum(tf.max(x, 0)));
    };
    expectSameAsTfjs(valueAndGrads(op), [{ values: spread(12), shape: [3, 4] }], ARITH_TOL * 10, 'mean then sub');
  });

  it('a reduction of a view (sum of a transposed slice, by rows)', () => {
    const op = (x: tf.Tensor) => tf.sum(tf.transpose(tf.slice(x, [0, 1], [3, 3])), 1);
    expectSameAsTfjs(valueAndGrads(op), [{ values: spread(12), shape: [3, 4] }], ARITH_TOL, 'sum of a view');
  });

  it('cumsum and cumprod along each axis, exclusive and reversed (Cumprod is prod\'s gradient)', () => {
    // TensorFlow.js's Cumsum gradient only works along the last axis, and Cumprod has none: the rest is forward only.
    const lastAxis = (x: tf.Tensor) => tf.add(tf.cumsum(x, 2, true), tf.cumsum(x, 2, false, true));
    expectSameAsTfjs(valueAndGrads(lastAxis), [POS], ARITH_TOL * 10, 'cumsum gradient');
    const products = (x: tf.Tensor) => [
      tf.cumsum(x, 0), tf.cumsum(x, 1, true, true),
      tf.cumprod(x, 1), tf.cumprod(x, 2, true, true), tf.cumprod(x, 0, false, true),
    ];
    expectSameAsTfjs(products, [POS], ARITH_TOL * 10, 'cumprod');
  });

  it('sum of a scalar and of a size-1 axis', () => {
    const op = (x: tf.Tensor) => tf.add(tf.sum(tf.sum(x, 1)), tf.sum(tf.square(x), 1));
    expectSameAsTfjs(valueAndGrads(op), [{ values: [2.5, -1, 0.5], shape: [3, 1] }], ARITH_TOL, 'size-1 axis');
  });
});
