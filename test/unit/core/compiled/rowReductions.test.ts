import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { compileProgram, type CompiledProgram } from '../../../../src/core/compiled/compileProgram';
import { traceProgram } from '../../../../src/core/compiled/traceProgram';
import { selectBackend } from '../../../../src/runner/backend';
import { ARITH_TOL, TRANSCENDENTAL_TOL, assertClose, spread, valueAndGrads } from './compiledCheck';

/**
 * Reductions into several elements (sum, max, mean along the last axis, column sums over the first,
 * a middle axis through a map) run as WebAssembly loops: on the cpu and the wasm backend the compiled
 * values and gradients are TensorFlow.js's to float32 rounding, no long loop is left in JS, and the
 * same program with every loop in JS gives the same bits (the rows are updated in the same order,
 * each update rounded to float32 as a Float32Array stores it).
 */

interface Case {
  readonly name: string;
  readonly fn: (...xs: tf.Tensor[]) => tf.Tensor[];
  readonly shapes: readonly (readonly number[])[];
  readonly tol: number;
}

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Layer norm over the last axis, as examples/tinyTransformer.ts writes it. */
const layerNorm = (x: tf.Tensor, gain: tf.Tensor, bias: tf.Tensor): tf.Tensor => {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), gain), bias);
};

/** Softmax cross-entropy by hand: a row max, a row sum of exponentials, a row sum of the picked log-probabilities. */
const crossEntropy = (logits: tf.Tensor, targets: tf.Tensor): tf.Tensor => {
  const shifted = tf.sub(logits, tf.max(logits, -1, true));
  const logProbabilities = tf.sub(shifted, tf.log(tf.sum(tf.exp(shifted), -1, true)));
  return tf.neg(tf.sum(tf.mul(logProbabilities, targets), -1));
};

const CASES: readonly Case[] = [
  { name: 'row sums along the last axis', fn: valueAndGrads((x) => tf.sum(tf.mul(x, 1.5), -1)), shapes: [[40, 24]], tol: ARITH_TOL * 10 },
  { name: 'row maxima along the last axis', fn: valueAndGrads((x) => tf.max(tf.add(x, 0.25), -1)), shapes: [[40, 24]], tol: ARITH_TOL },
  { name: 'row means over the last two axes', fn: valueAndGrads((x) => tf.mean(tf.square(x), [1, 2])), shapes: [[12, 6, 7]], tol: ARITH_TOL * 10 },
  { name: 'column sums over 64 columns (four columns a vector)', fn: valueAndGrads((x) => tf.sum(tf.mul(x, x), 0)), shapes: [[50, 64]], tol: ARITH_TOL * 10 },
  // Bias gradients of convolutions with 8 and 16 channels: float32 values, combined as float32x4 (the same bits).
  { name: 'column sums over 8 channels of an image batch', fn: valueAndGrads((x) => tf.sum(tf.relu(tf.sub(x, 0.2)), [0, 1, 2])), shapes: [[3, 5, 6, 8]], tol: ARITH_TOL * 10 },
  { name: 'column sums over 16 columns', fn: valueAndGrads((x) => tf.sum(tf.mul(x, 0.75), 0)), shapes: [[37, 16]], tol: ARITH_TOL * 10 },
  { name: 'column products over 8 columns', fn: valueAndGrads((x) => tf.prod(tf.add(tf.mul(x, 0.1), 1), 0)), shapes: [[21, 8]], tol: ARITH_TOL * 10 },
  { name: 'column minima over 12 columns', fn: valueAndGrads((x) => tf.min(tf.sub(x, 0.3), 0)), shapes: [[19, 12]], tol: ARITH_TOL },
  { name: 'column sums over 33 columns (lane by lane)', fn: valueAndGrads((x) => tf.sum(tf.sub(x, 0.5), 0)), shapes: [[50, 33]], tol: ARITH_TOL * 10 },
  { name: 'column maxima over the first two axes', fn: valueAndGrads((x) => tf.max(tf.abs(x), [0, 1])), shapes: [[5, 9, 12]], tol: ARITH_TOL },
  // (Terms of one sign: with cancellation the two orders of summation differ by more than the sum's rounding.)
  { name: 'a middle axis (a map of targets)', fn: valueAndGrads((x) => tf.sum(tf.add(tf.abs(x), 0.5), 1)), shapes: [[8, 12, 20]], tol: ARITH_TOL * 10 },
  { name: 'layer norm, value and every gradient', fn: valueAndGrads(layerNorm), shapes: [[6, 8, 64], [64], [64]], tol: ARITH_TOL * 100 },
  {
    name: 'softmax cross-entropy by hand, value and the logits\' gradient',
    fn: valueAndGrads(crossEntropy, 1),
    shapes: [[64, 23], [64, 23]],
    tol: TRANSCENDENTAL_TOL * 10,
  },
];

function inputs(c: Case): Float32Array[] {
  return c.shapes.map((shape, k) => Float32Array.from(spread(sizeOf(shape), 11 * k), (v, i) => (c.name.startsWith('softmax') && k === 1 ? (i % 23 === (i / 23 | 0) % 23 ? 1 : 0) : v)));
}

function compileBoth(c: Case, values: readonly Float32Array[]): { wasm: CompiledProgram; js: CompiledProgram; expected: Float32Array[] } {
  const before = tf.memory().numTensors;
  const tensors = c.shapes.map((shape, k) => tf.tensor(values[k], [...shape]));
  try {
    const { program, results } = traceProgram(c.fn, tensors);
    return { wasm: compileProgram(program, { wasm: true }), js: compileProgram(program, { wasm: false }), expected: results };
  } finally {
    tf.dispose(tensors);
    assert.equal(tf.memory().numTensors, before, `${c.name}: tensors leaked`);
  }
}

const run = (program: CompiledProgram, values: readonly Float32Array[]): Float32Array[] => {
  const outputs = program.outputSizes.map((n) => new Float32Array(n).fill(12345));
  program.run(values, outputs);
  return outputs;
};

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`compiled programs: reductions into rows and columns run as WebAssembly (${backend} backend)`, () => {
    before(async () => {
      const choice = await selectBackend(backend);
      if (choice.backend !== backend) throw new Error(`could not switch to ${backend}`);
    });
    after(async () => {
      await tf.setBackend('cpu');
    });

    for (const c of CASES) {
      it(c.name, () => {
        const values = inputs(c);
        const { wasm, js, expected } = compileBoth(c, values);
        assert.equal(wasm.jsLoops, 0, `${c.name}: a long loop stayed in JS\n${wasm.source}`);
        assert.ok(wasm.wasmLoops > 0);
        const [fromWasm, fromJs] = [run(wasm, values), run(js, values)];
        expected.forEach((e, k) => assertClose(fromWasm[k], e, c.tol, `${c.name} output ${k}`));
        fromJs.forEach((e, k) => e.forEach((v, i) => assert.ok(Object.is(fromWasm[k][i], v), `${c.name}: output ${k}[${i}] is ${fromWasm[k][i]} as WebAssembly, ${v} in JS`)));
        // A second run on the same memory: the rows start again from the op's initial value.
        assert.deepEqual(run(wasm, values), fromWasm);
      });
    }
  });
}
