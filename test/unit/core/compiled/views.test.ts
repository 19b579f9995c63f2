import * as tf from '@tensorflow/tfjs';
import { ARITH_TOL, expectSameAsTfjs, spread, useCpuBackend, valueAndGrads, type TestInput } from './compiledCheck';

/**
 * Views (slice, pad, transpose, broadcast, tile, reverse, constant gather) and
 * their compositions read their base in place; forward values and gradients
 * (which turn into pads, slices, sums and scatter-adds) match TensorFlow.js.
 */
type Op = (x: tf.Tensor) => tf.Tensor;

const V1: TestInput = { values: spread(7), shape: [7] };
const M: TestInput = { values: spread(20), shape: [4, 5] };
const T3: TestInput = { values: spread(24), shape: [2, 3, 4] };
const ROW: TestInput = { values: [1.5, -2, 0.25], shape: [1, 3] };

/** Each view is followed by an elementwise op so it is read inside a loop, as in real objectives. */
const CASES: [string, Op, TestInput][] = [
  ['slice 1-D', (x) => tf.square(tf.slice(x, 2, 3)), V1],
  ['slice 1-D to the end', (x) => tf.slice(x, [4]), V1],
  ['slice 2-D (inner block)', (x) => tf.mul(tf.slice(x, [1, 2], [2, 3]), 3), M],
  ['slice 2-D (rows)', (x) => tf.exp(tf.slice(x, [1, 0], [2, -1])), M],
  ['pad 1-D with a constant', (x) => tf.mul(tf.pad(x, [[2, 1]], 0.5), 2), V1],
  ['pad 2-D', (x) => tf.square(tf.pad(x, [[1, 0], [0, 2]])), M],
  ['transpose rank 3 [2,0,1]', (x) => tf.mul(tf.transpose(x, [2, 0, 1]), tf.range(0, 24).reshape([4, 2, 3])), T3],
  ['transpose 2-D', (x) => tf.tanh(tf.transpose(x)), M],
  ['broadcastTo', (x) => tf.mul(tf.broadcastTo(x, [4, 3]), tf.range(1, 13).reshape([4, 3])), ROW],
  ['tile', (x) => tf.mul(tf.tile(x, [3, 2]), tf.range(1, 19).reshape([3, 6])), ROW],
  ['tile 2-D', (x) => tf.square(tf.tile(x, [2, 1])), M],
  ['reverse one axis', (x) => tf.mul(tf.reverse(x, 1), tf.range(0, 20).reshape([4, 5])), M],
  ['reverse two axes of rank 3', (x) => tf.mul(tf.reverse(x, [0, 2]), tf.range(0, 24).reshape([2, 3, 4])), T3],
  ['gather rows with constant indices (repeats)', (x) => tf.square(tf.gather(x, tf.tensor1d([3, 0, 3, 1], 'int32'))), M],
  ['gather columns (axis 1)', (x) => tf.mul(tf.gather(x, tf.tensor1d([4, 0, 2], 'int32'), 1), 2), M],
  ['gather of rows named by tf.fill (a literal of 3 equal indices; gradient: 3 scatters into one row)', (x) => tf.exp(tf.gather(x, tf.fill([3], 2, 'int32'))), M],
  ['gather 1-D', (x) => tf.exp(tf.gather(x, tf.tensor1d([6, 6, 0, 2], 'int32'))), V1],
  ['slice of a transpose', (x) => tf.square(tf.slice(tf.transpose(x), [1, 1], [3, 2])), M],
  ['pad of a slice', (x) => tf.mul(tf.pad(tf.slice(x, [1, 1], [2, 3]), [[1, 1], [2, 0]], -1), 2), M],
  ['transpose of a pad', (x) => tf.sin(tf.transpose(tf.pad(x, [[0, 1], [1, 0]], 0.25))), M],
  ['gather of a reverse', (x) => tf.square(tf.gather(tf.reverse(x, 0), tf.tensor1d([0, 2], 'int32'))), M],
  ['slice of a broadcast', (x) => tf.exp(tf.slice(tf.broadcastTo(x, [4, 3]), [1, 1], [2, 2])), ROW],
  ['slice of a pad of a slice', (x) => tf.square(tf.slice(tf.pad(tf.slice(x, [0, 1], [3, 3]), [[1, 1], [1, 1]]), [1, 0], [3, 4])), M],
  ['view of a computed value', (x) => tf.transpose(tf.slice(tf.exp(x), [0, 1], [3, 3])), M],
  ['a view used twice with different elementwise partners', (x) => {
    const s = tf.slice(x, [0, 0], [2, 5]);
    return tf.add(tf.mul(s, s), tf.reverse(s, 1));
  }, M],
  ['unstack (each output a slice without the axis)', (x) => tf.addN(tf.unstack(x, 1).map((row, k) => tf.mul(row, k + 1))), M],
  ['stack of computed values (gradient: unstack)', (x) => tf.square(tf.stack([tf.sum(x, 0), tf.max(x, 0), tf.slice(x, [1, 0], [1, 5]).reshape([5])], 1)), M],
  ['split into unequal parts', (x) => { const [p, q] = tf.split(x, [2, 3], 1); return tf.add(tf.sum(tf.square(p)), tf.sum(tf.exp(q))); }, M],
  ['a constant from tf.linspace', (x) => tf.mul(x, tf.linspace(-1, 2, 5)), M],
  ['a view as the output itself', (x) => tf.slice(x, [1, 1], [2, 2]), M],
];

describe('compiled programs: views match TensorFlow.js, forward and gradient', () => {
  useCpuBackend();

  for (const [name, op, input] of CASES) {
    it(name, () => {
      expectSameAsTfjs(valueAndGrads(op), [input], ARITH_TOL, name);
    });
  }

  // TensorFlow.js has no gradient for StridedSlice: forward only.
  const STRIDED: [string, Op, TestInput][] = [
    ['stridedSlice with strides 2', (x) => tf.square(tf.stridedSlice(x, [0, 1], [4, 5], [2, 2])), M],
    ['stridedSlice with a negative stride and masks', (x) => tf.mul(tf.stridedSlice(x, [3, 0], [0, 5], [-1, 2], 0, 2), 2), M],
    ['stridedSlice shrinking an axis', (x) => tf.exp(tf.stridedSlice(x, [1, 0], [2, 5], [1, 1], 0, 0, 0, 0, 1)), M],
    ['stridedSlice with a new axis', (x) => tf.exp(tf.stridedSlice(x, [1, 0], [3, 5], [1, 1], 0, 0, 0, 2, 0)), M],
    ['stridedSlice with an ellipsis and stride 3', (x) => tf.exp(tf.stridedSlice(x, [0, 0], [3, 4], [1, 3], 0, 0, 1, 0, 0)), T3],
  ];
  for (const [name, op, input] of STRIDED) {
    it(name, () => {
      expectSameAsTfjs((x) => [op(x)], [input], ARITH_TOL, name);
    });
  }

  const LABELS: TestInput = { values: [2, 0, 3, 3, 1], shape: [5], dtype: 'int32' };
  const GATHERS: [string, (x: tf.Tensor, labels: tf.Tensor) => tf.Tensor][] = [
    ['rows picked by input labels (an embedding lookup)', (x, labels) => tf.square(tf.gather(x, labels))],
    ['columns picked by input labels (axis 1)', (x, labels) => tf.mul(tf.gather(x, labels, 1), 2)],
    ['a gather of a computed value', (x, labels) => tf.gather(tf.exp(tf.transpose(x)), labels, 0)],
    ['labels shifted by a computed offset', (x, labels) => tf.gather(x, tf.sub(labels, tf.onesLike(labels)).relu(), 1)],
  ];
  for (const [name, op] of GATHERS) {
    it(`gather with computed indices: ${name}, value and gradient (a scatter-add by label)`, () => {
      expectSameAsTfjs(valueAndGrads(op, 1), [{ values: spread(20, 1), shape: [4, 5] }, LABELS], ARITH_TOL, name);
    });
  }

  it('the log-probability of each sample\'s label, picked by gather (classification loss)', () => {
    const loss = (logits: tf.Tensor, labels: tf.Tensor) => {
      const logProbs = tf.logSoftmax(logits);
      const rows = tf.range(0, 5, 1, 'int32');
      const flat = tf.add(tf.mul(rows, tf.scalar(4, 'int32')), labels);
      return tf.neg(tf.mean(tf.gather(logProbs.reshape([20]), flat)));
    };
    expectSameAsTfjs(valueAndGrads(loss, 1), [{ values: spread(20, 2), shape: [5, 4] }, { values: [3, 0, 1, 1, 2], shape: [5], dtype: 'int32' }], 1e-5, 'gather of log-probabilities');
  });

  it('concat-free stencil: differences of neighbouring slices (Rosenbrock shape)', () => {
    const stencil = (x: tf.Tensor) => {
      const head = tf.slice(x, 0, 6);
      const tail = tf.slice(x, 1, 6);
      return tf.add(tf.mul(tf.square(tf.sub(tail, tf.square(head))), 100), tf.square(tf.sub(1, head)));
    };
    expectSameAsTfjs(valueAndGrads(stencil), [V1], ARITH_TOL, 'stencil');
  });
});
