import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { compileAndRun, useCpuBackend, valueAndGrads } from './compiledCheck';

/**
 * Chains of kernels drawn from a fixed pseudo-random sequence (the same on
 * every run): elementwise ops, reductions with keepDims read back with
 * broadcasting, views of computed values, matMuls, softmax and concat, mixed
 * so that loops of different sizes interleave. Each chain's value and
 * gradient must compile and match TensorFlow.js: a net for fusion and
 * scheduling bugs that hand-written cases miss.
 */
type Unary = (t: tf.Tensor) => tf.Tensor;
const UNARY: [string, Unary][] = [
  ['tanh', tf.tanh], ['square', tf.square], ['sin', tf.sin], ['sigmoid', tf.sigmoid], ['neg', tf.neg], ['relu', tf.relu],
  ['exp(-|t|)', (t) => tf.exp(tf.neg(tf.abs(t)))],
  ['transpose', (t) => tf.transpose(t)], ['reverse rows', (t) => tf.reverse(t, 0)], ['reverse columns', (t) => tf.reverse(t, 1)],
  ['sum rows keepDims', (t) => tf.sum(t, 1, true)], ['max columns keepDims', (t) => tf.max(t, 0, true)], ['mean rows keepDims', (t) => tf.mean(t, 1, true)],
  ['drop first row', (t) => tf.slice(t, [1, 0], [t.shape[0] - 1, -1])], ['pad a row', (t) => tf.pad(t, [[1, 0], [0, 0]])],
  ['drop first column', (t) => tf.slice(t, [0, 1], [-1, -1])], ['pad a column', (t) => tf.pad(t, [[0, 0], [0, 1]])],
  ['tile rows', (t) => tf.tile(t, [2, 1])], ['t·tᵀ', (t) => tf.matMul(t, t, false, true)], ['tᵀ·t', (t) => tf.matMul(t, t, true, false)],
  ['gather rows', (t) => tf.gather(t, tf.tensor1d(Array.from({ length: t.shape[0] }, (_, i) => (i * 2 + 1) % t.shape[0]), 'int32'))],
  ['softmax', (t) => tf.softmax(t)], ['concat with its square', (t) => tf.concat([t, tf.square(t)], 1)],
];
const BINARY: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor][] = [['add', tf.add], ['mul', tf.mul], ['sub', tf.sub]];
const TRIALS = 150;
const MAX_SIZE = 400;

/** A linear congruential sequence in [0, 1): deterministic, so a failure names a reproducible trial. */
function sequence(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

/** A chain of 2–8 ops on a [3, 4] input; each op reads an earlier value (binary ops only when shapes broadcast). */
function chain(rnd: () => number): { names: string[]; op: Unary } {
  const names: string[] = [];
  const steps: ((values: tf.Tensor[]) => void)[] = [];
  const count = 2 + Math.floor(rnd() * 7);
  for (let k = 0; k < count; k++) {
    const a = Math.floor(rnd() * 1e6);
    const b = Math.floor(rnd() * 1e6);
    if (rnd() < 0.65) {
      const [name, f] = UNARY[Math.floor(rnd() * UNARY.length)];
      names.push(name);
      steps.push((values) => {
        const t = values[a % values.length];
        if (t.size < MAX_SIZE) values.push(f(t));
      });
    } else {
      const [name, f] = BINARY[Math.floor(rnd() * BINARY.length)];
      names.push(name);
      steps.push((values) => {
        const [x, y] = [values[a % values.length], values[b % values.length]];
        const fits = x.shape.every((n, d) => n === y.shape[d] || n === 1 || y.shape[d] === 1);
        if (fits) values.push(f(x, y));
      });
    }
  }
  const op: Unary = (x) => {
    const values = [x];
    for (const step of steps) step(values);
    // The last value and one from the middle, so two branches reach the loss.
    return tf.add(tf.sum(values[values.length - 1]), tf.mul(0.1, tf.sum(values[Math.floor(values.length / 2)])));
  };
  return { names, op };
}

describe('compiled programs: pseudo-random chains of kernels match TensorFlow.js', function () {
  this.timeout(60_000);
  useCpuBackend();

  it(`${TRIALS} chains, value and gradient, compile and agree (relative to each output's scale)`, () => {
    const rnd = sequence(20261124);
    for (let trial = 0; trial < TRIALS; trial++) {
      const { names, op } = chain(rnd);
      const x = { values: Array.from({ length: 12 }, (_, i) => Math.sin(i * 1.3 + trial)), shape: [3, 4] };
      const before = tf.memory().numTensors;
      const { actual, expected } = compileAndRun(valueAndGrads(op), [x]);
      assert.equal(tf.memory().numTensors, before, `trial ${trial} (${names.join(', ')}): tensors leaked`);
      expected.forEach((e, k) => {
        // Scale-relative: sums of softmax outputs cancel to round-off, where element-relative errors mean nothing.
        const scale = Math.max(1e-2, ...Array.from(e, Math.abs));
        e.forEach((v, i) => {
          const error = Math.abs(actual[k][i] - v) / scale;
          assert.ok(error <= 1e-5, `trial ${trial} (${names.join(', ')}) output ${k}[${i}]: compiled ${actual[k][i]}, TensorFlow.js ${v}`);
        });
      });
    }
  });
});
