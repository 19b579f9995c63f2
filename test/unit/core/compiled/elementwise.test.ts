import * as tf from '@tensorflow/tfjs';
import { ARITH_TOL, TRANSCENDENTAL_TOL, expectSameAsTfjs, spread, useCpuBackend, valueAndGrads, type TestInput } from './compiledCheck';

/**
 * Every elementwise kernel of elementwiseKernels.ts, forward and (where
 * TensorFlow.js has one) gradient, against TensorFlow.js on cpu, with
 * negative, zero and positive inputs, broadcasting and scalars.
 */
type Unary = (x: tf.Tensor) => tf.Tensor;
type Binary = (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

const MIXED: TestInput = { values: [-2.5, -1, -0.5, 0, 0.25, 0.5, 1, 3], shape: [2, 4] };
const POSITIVE: TestInput = { values: [0.1, 0.5, 1, 2, 3.5, 7], shape: [6] };
const UNIT: TestInput = { values: [-0.9, -0.5, 0, 0.3, 0.75, 0.99], shape: [6] };
const ABOVE_ONE: TestInput = { values: [1, 1.5, 2, 4, 10], shape: [5] };
const SPECIAL: TestInput = { values: [NaN, Infinity, -Infinity, 0, -0, 1e-40, 3e38, -3e38], shape: [8] };

/** kernel name → op, its inputs, tolerance, and whether TensorFlow.js has its gradient. */
const UNARY: [string, Unary, TestInput, number, boolean][] = [
  ['Neg', tf.neg, MIXED, ARITH_TOL, true],
  ['Square', tf.square, MIXED, ARITH_TOL, true],
  ['Sqrt', tf.sqrt, POSITIVE, TRANSCENDENTAL_TOL, true],
  ['Sqrt of negatives (NaN)', tf.sqrt, MIXED, TRANSCENDENTAL_TOL, false],
  ['Rsqrt', tf.rsqrt, POSITIVE, TRANSCENDENTAL_TOL, true],
  ['Reciprocal', tf.reciprocal, MIXED, ARITH_TOL, true],
  ['Exp', tf.exp, MIXED, TRANSCENDENTAL_TOL, true],
  ['Expm1', tf.expm1, MIXED, TRANSCENDENTAL_TOL, true],
  ['Log', tf.log, POSITIVE, TRANSCENDENTAL_TOL, true],
  ['Log of negatives and 0', tf.log, MIXED, TRANSCENDENTAL_TOL, false],
  ['Log1p', tf.log1p, UNIT, TRANSCENDENTAL_TOL, true],
  ['Abs', tf.abs, MIXED, ARITH_TOL, true],
  ['Sign', tf.sign, MIXED, ARITH_TOL, true],
  ['Tanh', tf.tanh, MIXED, TRANSCENDENTAL_TOL, true],
  ['Sigmoid', tf.sigmoid, MIXED, TRANSCENDENTAL_TOL, true],
  ['Softplus', tf.softplus, MIXED, TRANSCENDENTAL_TOL, true],
  ['Relu (0 included)', tf.relu, MIXED, ARITH_TOL, true],
  ['Relu6', (x) => tf.relu6(tf.mul(x, 3)), MIXED, ARITH_TOL, true],
  ['Elu', tf.elu, MIXED, TRANSCENDENTAL_TOL, true],
  ['Selu', tf.selu, MIXED, TRANSCENDENTAL_TOL, true],
  ['LeakyRelu', (x) => tf.leakyRelu(x, 0.1), MIXED, ARITH_TOL, true],
  ['Step (0 included)', (x) => tf.step(x, 0.3), MIXED, ARITH_TOL, true],
  ['ClipByValue', (x) => tf.clipByValue(x, -0.5, 1), MIXED, ARITH_TOL, true],
  ['Sin', tf.sin, MIXED, TRANSCENDENTAL_TOL, true],
  ['Cos', tf.cos, MIXED, TRANSCENDENTAL_TOL, true],
  ['Tan', tf.tan, UNIT, TRANSCENDENTAL_TOL, true],
  ['Asin', tf.asin, UNIT, TRANSCENDENTAL_TOL, true],
  ['Acos', tf.acos, UNIT, TRANSCENDENTAL_TOL, true],
  ['Atan', tf.atan, MIXED, TRANSCENDENTAL_TOL, true],
  ['Sinh', tf.sinh, MIXED, TRANSCENDENTAL_TOL, true],
  ['Cosh', tf.cosh, MIXED, TRANSCENDENTAL_TOL, true],
  ['Asinh', tf.asinh, MIXED, TRANSCENDENTAL_TOL, true],
  ['Acosh', tf.acosh, ABOVE_ONE, TRANSCENDENTAL_TOL, true],
  ['Atanh', tf.atanh, UNIT, TRANSCENDENTAL_TOL, true],
  ['Floor', tf.floor, MIXED, ARITH_TOL, true],
  ['Ceil', tf.ceil, MIXED, ARITH_TOL, true],
  ['IsNan', (x) => tf.cast(tf.isNaN(x), 'float32'), SPECIAL, ARITH_TOL, false],
  ['IsInf', (x) => tf.cast(tf.isInf(x), 'float32'), SPECIAL, ARITH_TOL, false],
  ['IsFinite', (x) => tf.cast(tf.isFinite(x), 'float32'), SPECIAL, ARITH_TOL, false],
  ['LogicalNot', (x) => tf.cast(tf.logicalNot(tf.cast(x, 'bool')), 'float32'), MIXED, ARITH_TOL, false],
  ['Round (halves to even)', tf.round, { values: [-2.5, -1.5, -0.5, -0.4, 0, 0.5, 1.5, 2.5, 2.6, 3.49], shape: [10] }, ARITH_TOL, true],
  ['Erf (tfjs\'s approximation)', tf.erf, MIXED, TRANSCENDENTAL_TOL, true],
  ['Exp on extremes (overflow to Infinity)', tf.exp, { values: [-200, -100, 0, 88, 89, 100], shape: [6] }, TRANSCENDENTAL_TOL, false],
  ['Square on extremes (float32 overflow)', tf.square, SPECIAL, ARITH_TOL, false],
];

const A: TestInput = { values: [-1.5, 0, 2], shape: [3, 1] };
const B: TestInput = { values: [-2, -0.5, 0.5, 3], shape: [1, 4] };
const POS_A: TestInput = { values: [0.5, 1, 2.5], shape: [3, 1] };
const INT_B: TestInput = { values: [-2, -1, 0, 2], shape: [1, 4] };
const SCALAR: TestInput = { values: [1.75], shape: [] };
const GRID: TestInput = { values: spread(12), shape: [3, 4] };
/** GRID with every other element copied, so ties are exercised. */
const TIES: TestInput = { values: spread(12).map((v, i) => (i % 2 === 0 ? v : -v)), shape: [3, 4] };

const BINARY: [string, Binary, TestInput, TestInput, number, boolean][] = [
  ['Add', tf.add, A, B, ARITH_TOL, true],
  ['Sub', tf.sub, A, B, ARITH_TOL, true],
  ['Multiply', tf.mul, A, B, ARITH_TOL, true],
  ['RealDiv (0 divisor in the forward pass)', tf.div, B, A, ARITH_TOL, false],
  ['RealDiv', tf.div, A, B, ARITH_TOL, true],
  ['DivNoNan', tf.divNoNan, B, A, ARITH_TOL, false],
  ['Pow', tf.pow, POS_A, B, TRANSCENDENTAL_TOL, true],
  ['Pow of negatives to integers', tf.pow, A, INT_B, TRANSCENDENTAL_TOL, false],
  // TensorFlow.js's gradients of Maximum, Minimum and SquaredDifference do not reduce over
  // broadcast axes (they throw), so their gradients are checked on same-shape inputs.
  ['Maximum', tf.maximum, A, B, ARITH_TOL, false],
  ['Minimum', tf.minimum, A, B, ARITH_TOL, false],
  ['SquaredDifference', tf.squaredDifference, A, B, ARITH_TOL, false],
  ['Maximum (ties included)', tf.maximum, GRID, TIES, ARITH_TOL, true],
  ['Minimum (ties included)', tf.minimum, GRID, TIES, ARITH_TOL, true],
  ['SquaredDifference, same shapes', tf.squaredDifference, GRID, TIES, ARITH_TOL, true],
  ['FloorDiv', tf.floorDiv, A, B, ARITH_TOL, false],
  ['FloorDiv of NaN, ±Infinity and 3e38 (an int32 result: 0 and wrap-around)', tf.floorDiv, SPECIAL, { values: [-2], shape: [] }, ARITH_TOL, false],
  ['Mod (the remainder takes the divisor\'s sign)', tf.mod, { values: [-7, -1.5, 0, 2.5, 7, 9], shape: [6, 1] }, { values: [-2, 3], shape: [1, 2] }, ARITH_TOL, false],
  ['Mod, value and gradients', tf.mod, GRID, { values: spread(12, 4).map((v) => v + 3), shape: [3, 4] }, ARITH_TOL, true],
  ['Atan2', tf.atan2, A, B, TRANSCENDENTAL_TOL, true],
  ['Prelu', tf.prelu, GRID, { values: [0.1, 0.2, 0.3, 0.4], shape: [4] }, ARITH_TOL, true],
  ['Add with a scalar', tf.add, GRID, SCALAR, ARITH_TOL, true],
  ['Multiply by a scalar', tf.mul, SCALAR, GRID, ARITH_TOL, true],
  ['Sub of two scalars', tf.sub, SCALAR, { values: [-0.25], shape: [] }, ARITH_TOL, true],
  ['Add of [3,4] and [4] (row broadcast)', tf.add, GRID, { values: [1, 2, 3, 4], shape: [4] }, ARITH_TOL, true],
  ['Multiply of [3,4] and [3,1] (column broadcast)', tf.mul, GRID, A, ARITH_TOL, true],
];

const asFloat = (op: Binary): Binary => (a, b) => tf.cast(op(a, b), 'float32');
const COMPARISONS: [string, Binary][] = [
  ['Greater', asFloat(tf.greater)],
  ['GreaterEqual', asFloat(tf.greaterEqual)],
  ['Less', asFloat(tf.less)],
  ['LessEqual', asFloat(tf.lessEqual)],
  ['Equal', asFloat(tf.equal)],
  ['NotEqual', asFloat(tf.notEqual)],
  ['LogicalAnd', asFloat((a, b) => tf.logicalAnd(tf.cast(a, 'bool'), tf.cast(b, 'bool')))],
  ['LogicalOr', asFloat((a, b) => tf.logicalOr(tf.cast(a, 'bool'), tf.cast(b, 'bool')))],
];
/** Ties included: -0.5 and 0 appear on both sides. */
const CMP_A: TestInput = { values: [-0.5, 0, 2], shape: [3, 1] };
const CMP_B: TestInput = { values: [-0.5, 0, 0.5, 2], shape: [1, 4] };

describe('compiled programs: elementwise kernels match TensorFlow.js', () => {
  useCpuBackend();

  for (const [name, op, input, tol, differentiable] of UNARY) {
    it(`${name}${differentiable ? ', value and gradient' : ''}`, () => {
      expectSameAsTfjs(differentiable ? valueAndGrads(op) : (x) => [op(x)], [input], tol, name);
    });
  }

  for (const [name, op, a, b, tol, differentiable] of BINARY) {
    it(`${name}${differentiable ? ', value and both gradients' : ''}`, () => {
      expectSameAsTfjs(differentiable ? valueAndGrads(op) : (x, y) => [op(x, y)], [a, b], tol, name);
    });
  }

  for (const [name, op] of COMPARISONS) {
    it(`${name} (ties included, broadcast [3,1]×[1,4])`, () => {
      expectSameAsTfjs((x, y) => [op(x, y)], [CMP_A, CMP_B], 0, name);
    });
  }

  it('Select (tf.where), value and gradients of both branches', () => {
    // The condition comes from a third input: TensorFlow.js has no gradient for Greater.
    const where = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.where(tf.greater(c, 0), tf.mul(a, 2), tf.sub(b, 1));
    expectSameAsTfjs(valueAndGrads(where, 2), [GRID, { values: spread(12, 5), shape: [3, 4] }, { values: spread(12, 9), shape: [3, 4] }], ARITH_TOL, 'Select');
  });

  it('AddN, value and gradients', () => {
    const addN = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.addN([a, tf.mul(b, 2), c]);
    expectSameAsTfjs(valueAndGrads(addN), [GRID, { values: spread(12, 2), shape: [3, 4] }, { values: spread(12, 7), shape: [3, 4] }], ARITH_TOL, 'AddN');
  });

  it('Cast to int32 truncates toward zero, to bool is x ≠ 0, to float32 is an alias', () => {
    const casts = (x: tf.Tensor) => [
      tf.cast(tf.cast(x, 'int32'), 'float32'),
      tf.cast(tf.cast(x, 'bool'), 'float32'),
      tf.add(tf.cast(tf.cast(x, 'bool'), 'int32'), tf.cast(x, 'int32')),
      tf.cast(x, 'float32'),
    ];
    expectSameAsTfjs(casts, [{ values: [-2.7, -1, -0.5, 0, 0.5, 1.5, 2.99], shape: [7] }], 0, 'casts');
  });

  it('Fill, ZerosLike and OnesLike become literals in the loop', () => {
    const op = (x: tf.Tensor) => tf.addN([tf.mul(x, tf.onesLike(x)), tf.sub(tf.zerosLike(x), x), tf.mul(tf.fill(x.shape, 2.5), tf.square(x))]);
    expectSameAsTfjs(valueAndGrads(op), [GRID], ARITH_TOL, 'literals');
  });

  it('unary kernels of a negative literal (generated as `-(-2)`, not the decrement `--2`)', () => {
    const op = (x: tf.Tensor) => tf.addN([tf.mul(x, tf.neg(tf.fill(x.shape, -2))), tf.sigmoid(tf.fill(x.shape, -1)), tf.neg(tf.zerosLike(x).sub(0.5))]);
    expectSameAsTfjs(valueAndGrads(op), [GRID], TRANSCENDENTAL_TOL, 'negative literals');
  });

  it('Cast to int32 of NaN, ±Infinity and huge values converts as an Int32Array does', () => {
    expectSameAsTfjs((x) => [tf.cast(tf.cast(x, 'int32'), 'float32')], [SPECIAL], 0, 'int32 cast of specials');
  });

  it('every unary kernel on NaN, ±Infinity, ±0, a denormal and ±3e38 (forward)', () => {
    for (const [name, op] of UNARY) expectSameAsTfjs((x) => [op(x)], [SPECIAL], TRANSCENDENTAL_TOL, `${name} on special values`);
  });

  it('int32 inputs (labels) take part in float arithmetic after a cast', () => {
    const f = (x: tf.Tensor, labels: tf.Tensor) => tf.mul(x, tf.cast(labels, 'float32'));
    expectSameAsTfjs(valueAndGrads(f, 1), [GRID, { values: [0, 1, 2, 1], shape: [4], dtype: 'int32' }], ARITH_TOL, 'int32 input');
  });
});
