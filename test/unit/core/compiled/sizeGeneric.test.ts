import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { CompiledValueAndGrad, type TensorObjective } from '../../../../src/core/compiled/compileValueAndGrad';
import { type Program } from '../../../../src/core/compiled/program';
import { compileWithText, lengthInputValues, SMALL_TRACE_MIN, sizeGeneric, smallSizesFor } from '../../../../src/core/compiled/sizeGeneric';
import { traceProgram } from '../../../../src/core/compiled/traceProgram';
import { selectBackend } from '../../../../src/runner/backend';
import { assertClose, useCpuBackend } from './compiledCheck';

/**
 * Shape-generic programs (sizeGeneric.ts): a long vector's objective is traced and checked against
 * TensorFlow.js at two small lengths and run at full length. What makes that sound: the program run at
 * full length is the checked one with the length substituted (its generated code, JS and WebAssembly
 * IR, is the same text with the length written as n), and it computes what TensorFlow.js computes at
 * full length. Objectives whose computation depends on the length otherwise are traced at full length.
 */

const FULL = SMALL_TRACE_MIN + 4_467;

const OBJECTIVES: Record<string, TensorObjective> = {
  'sum of squares': (p) => p.square().sum() as tf.Scalar,
  'mean of squares (the length as a divisor)': (p) => p.square().mean() as tf.Scalar,
  'norm of a shift': (p) => p.sub(tf.scalar(0.5)).square().sum().sqrt() as tf.Scalar,
  'a constant vector of the length (ones)': (p) => p.mul(tf.onesLike(p)).add(tf.ones(p.shape)).square().sum() as tf.Scalar,
  'a max and a log-sum-exp': (p) => p.max().add(p.mul(0.01).exp().sum().log()) as tf.Scalar,
};

function valueAndGradTrace(f: TensorObjective, x: Float32Array): { program: Program; results: Float32Array[] } {
  const input = tf.tensor1d(x);
  try {
    const vg = tf.valueAndGrad((p: tf.Tensor) => f(p as tf.Tensor1D, []));
    return traceProgram((p) => {
      const { value, grad } = vg(p);
      return [value, grad];
    }, [input]);
  } finally {
    input.dispose();
  }
}

const point = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(0.37 * i) * 1.5);

function tfjsAt(f: TensorObjective, x: Float32Array): { loss: number; grad: Float32Array } {
  return tf.tidy(() => {
    const { value, grad } = tf.valueAndGrad((p: tf.Tensor) => f(p as tf.Tensor1D, []))(tf.tensor1d(x));
    return { loss: value.dataSync()[0], grad: Float32Array.from(grad.dataSync()) };
  });
}

describe('shape-generic programs: traced and checked at a small length, run at full length', () => {
  useCpuBackend();

  it('the small lengths are WebAssembly-sized, distinct and congruent to the full length modulo 16', () => {
    for (const n of [SMALL_TRACE_MIN, 1_000_000, 10_000_000, 10_000_007]) {
      const [a, b] = smallSizesFor(n);
      assert.ok(a >= 32 && b > a && a < SMALL_TRACE_MIN, `${n}: ${a}, ${b}`);
      assert.equal(a % 16, n % 16);
      assert.equal(b % 16, n % 16);
    }
  });

  for (const [name, f] of Object.entries(OBJECTIVES)) {
    it(`${name}: the full-length program is the checked one's code, and it agrees with TensorFlow.js at full length`, () => {
      const before = tf.memory().numTensors;
      const [na, nb] = smallSizesFor(FULL);
      const a = valueAndGradTrace(f, point(na));
      const b = valueAndGradTrace(f, point(nb));
      const generic = sizeGeneric(a.program, na, b.program, nb);
      assert.ok(!('reason' in generic), `not generic: ${'reason' in generic ? generic.reason : ''}`);
      const small = compileWithText(generic.at(nb), { squaredNormOf: [1] });
      const full = compileWithText(generic.at(FULL), { squaredNormOf: [1] });
      // The guard rail: the code that runs at full length is, text for text, the code checked at a small length.
      assert.equal(full.text(FULL), small.text(nb));
      assert.ok(full.compiled.wasmLoops > 0, 'WebAssembly loops at both lengths');
      const x = point(FULL);
      const loss = new Float32Array(1);
      const grad = new Float32Array(FULL);
      full.compiled.run([x, ...lengthInputValues(generic, FULL)], [loss, grad]);
      const expected = tfjsAt(f, x);
      assertClose(loss, [expected.loss], 1e-4, 'loss');
      assertClose(grad, expected.grad, 1e-5, 'gradient');
      assert.equal(tf.memory().numTensors, before, 'tensors leaked');
    });
  }

  it('a program whose code depends on the length in another way is refused, with the reason', () => {
    const lengthOf = (n: number) => (p: tf.Tensor1D) => p.slice(1, n - 2).square().sum() as tf.Scalar;
    const [na, nb] = smallSizesFor(FULL);
    const a = valueAndGradTrace(lengthOf(na), point(na));
    const b = valueAndGradTrace(lengthOf(nb), point(nb));
    const generic = sizeGeneric(a.program, na, b.program, nb);
    assert.ok('reason' in generic);
    assert.match(generic.reason, /attributes|dimension/);
  });

  it('a constant that is not the length and not one value throughout (random draws) is refused', () => {
    const noisy = (p: tf.Tensor1D) => p.mul(tf.randomUniform(p.shape, 0, 1, 'float32', 7)).sum() as tf.Scalar;
    const [na, nb] = smallSizesFor(FULL);
    const generic = sizeGeneric(valueAndGradTrace(noisy, point(na)).program, na, valueAndGradTrace(noisy, point(nb)).program, nb);
    assert.ok('reason' in generic);
    assert.match(generic.reason, /constant/);
  });
});

describe('CompiledValueAndGrad on a long vector', () => {
  useCpuBackend();

  it('checks at small lengths, says so, and computes TensorFlow.js\'s loss and gradient at full length', () => {
    const before = tf.memory().numTensors;
    const f = OBJECTIVES['mean of squares (the length as a divisor)'];
    const compiled = new CompiledValueAndGrad(f, FULL);
    const x = point(FULL);
    const grad = new Float32Array(FULL);
    const loss = compiled.run(x, [], grad);
    const [na, nb] = smallSizesFor(FULL);
    assert.match(compiled.checkedAt ?? '', new RegExp(`at ${na} and ${nb} parameters .* run at ${FULL}`));
    const expected = tfjsAt(f, x);
    assertClose([loss], [expected.loss], 1e-4, 'loss');
    assertClose(grad, expected.grad, 1e-5, 'gradient');
    assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  });

  it('an objective bound to its full length (data of that length) is traced at full length, saying why, and still agrees', () => {
    const before = tf.memory().numTensors;
    const target = tf.tensor1d(point(FULL).map((v) => v * 0.5));
    const f: TensorObjective = (p) => p.sub(target).square().sum() as tf.Scalar;
    const compiled = new CompiledValueAndGrad(f, FULL);
    const x = point(FULL);
    const grad = new Float32Array(FULL);
    const loss = compiled.run(x, [], grad);
    assert.match(compiled.checkedAt ?? '', /^traced and checked at full length: it does not trace at \d+ parameters/);
    const expected = tfjsAt(f, x);
    assertClose([loss], [expected.loss], 1e-4, 'loss');
    assertClose(grad, expected.grad, 1e-5, 'gradient');
    target.dispose();
    assert.equal(tf.memory().numTensors, before, 'tensors leaked (the failed small trace released its tape)');
  });

  it('below SMALL_TRACE_MIN nothing changes: traced at its own length, no note', () => {
    const compiled = new CompiledValueAndGrad(OBJECTIVES['sum of squares'], 5000);
    compiled.run(point(5000), [], new Float32Array(5000));
    assert.equal(compiled.checkedAt, undefined);
  });
});

describe('shape-generic programs on the wasm backend', () => {
  before(async () => {
    const choice = await selectBackend('wasm');
    if (choice.backend !== 'wasm') throw new Error('could not switch to wasm');
  });
  after(async () => {
    await tf.setBackend('cpu');
  });

  it('an objective that slices by its full length is traced at full length, and the backend still works', () => {
    // Traced at a small length, a slice of FULL - 1 numbers would read past the input in the wasm kernel.
    const f: TensorObjective = (p) => {
      const head = p.slice(0, FULL - 1);
      const tail = p.slice(1, FULL - 1);
      return tf.sum(tf.add(tf.mul(100, tf.square(tf.sub(tail, tf.square(head)))), tf.square(tf.sub(1, head)))) as tf.Scalar;
    };
    const before = tf.memory().numTensors;
    const compiled = new CompiledValueAndGrad(f, FULL);
    const x = point(FULL);
    const grad = new Float32Array(FULL);
    const loss = compiled.run(x, [], grad);
    assert.match(compiled.checkedAt ?? '', /^traced and checked at full length: it does not trace at \d+ parameters \(slice of \[0\] \+ \[\d+\] is outside/);
    const expected = tfjsAt(f, x);
    assertClose([loss], [expected.loss], 1e-4, 'loss');
    assertClose(grad, expected.grad, 1e-4, 'gradient');
    assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  });
});
