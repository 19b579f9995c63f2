import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { CompiledValueAndGrad, type TensorObjective } from '../../../../src/core/compiled/compileValueAndGrad';
import { compileProgram } from '../../../../src/core/compiled/compileProgram';
import { NotCompilable } from '../../../../src/core/compiled/program';
import { traceProgram } from '../../../../src/core/compiled/traceProgram';
import { releaseAbandonedTape } from '../../../../src/runner/abandonedTape';
import { assertClose, spread, useCpuBackend, rosenbrockChain } from './compiledCheck';

/**
 * CompiledValueAndGrad end to end: what it refuses (value reads, randomness,
 * kernels without a JS version) and why, that nothing leaks either way, and
 * that fusion keeps Rosenbrock's value and gradient to two loops.
 */

/** The 2-D Rosenbrock of examples/rosenbrock.ts (gathers of single coordinates). */
const rosenbrock2d: TensorObjective = (p) => {
  const x = p.gather(0);
  const y = p.gather(1);
  return tf.square(tf.sub(1, x)).add(tf.square(y.sub(x.square())).mul(100)) as tf.Scalar;
};

function tfjsValueAndGrad(f: TensorObjective, x: Float32Array): { loss: number; grad: Float32Array } {
  return tf.tidy(() => {
    const { value, grad } = tf.valueAndGrad((p: tf.Tensor) => f(p as tf.Tensor1D, []))(tf.tensor1d(x));
    return { loss: value.dataSync()[0], grad: Float32Array.from(grad.dataSync()) };
  });
}

/** Compiles f at x and expects NotCompilable with a message matching `reason`, leaving no tensor behind. */
function expectRefused(f: TensorObjective, size: number, reason: RegExp): void {
  const before = tf.memory().numTensors;
  const compiled = new CompiledValueAndGrad(f, size);
  assert.throws(() => compiled.run(Float32Array.from(spread(size, 1)), [], new Float32Array(size)), (e: unknown) => {
    assert.ok(e instanceof NotCompilable, `expected NotCompilable, got ${String(e)}`);
    assert.match(e.message, reason);
    return true;
  });
  assert.equal(tf.memory().numTensors, before, 'tensors leaked by a refused compile');
}

describe('CompiledValueAndGrad: refusals, leaks and fusion', () => {
  useCpuBackend();

  it('an objective that reads values with dataSync() is refused, naming dataSync', () => {
    expectRefused((x) => {
      const scale = tf.max(x).dataSync()[0] > 0 ? 2 : 1;
      return tf.mul(scale, tf.sum(tf.square(x)));
    }, 4, /dataSync/);
  });

  it('an objective that writes to the console is refused (compiled, it would log only while traced), and the console is restored', () => {
    const original = console.log;
    const lines: unknown[] = [];
    console.log = (...args: unknown[]) => lines.push(args);
    try {
      const logger = console.log;
      expectRefused((x) => {
        console.log('evaluating');
        return tf.sum(tf.square(x));
      }, 3, /console\.log/);
      assert.equal(console.log, logger, 'console.log restored after the trace');
      assert.ok(lines.length >= 1, 'the objective still logged while traced');
    } finally {
      console.log = original;
    }
  });

  it('an objective that reads values with arraySync() is refused, naming arraySync', () => {
    expectRefused((x) => tf.mul(x.arraySync()[0], tf.sum(x)), 3, /arraySync/);
  });

  it('an objective drawing tf.randomNormal inside is refused: it differs between calls', () => {
    expectRefused((x) => tf.sum(tf.square(tf.add(x, tf.randomNormal([x.size])))), 5, /different operations from call to call/);
  });

  it('an objective whose JS state changes between calls (a call counter in a constant) is refused', () => {
    let calls = 0;
    expectRefused((x) => tf.mul(++calls, tf.sum(tf.square(x))), 3, /different operations from call to call/);
  });

  it('an unsupported kernel (maxPool3d) is refused, naming the kernel', () => {
    // depthwiseConv2d was the example until it compiled (depthwiseCalls.ts); 3-D pooling has no compiled form.
    expectRefused((x) => tf.sum(tf.square(tf.maxPool3d(x.reshape([1, 3, 3, 1, 1]) as tf.Tensor5D, 2, 1, 'valid'))), 9, /MaxPool3D/);
  });

  it('tf.batchNorm without scale and offset (inputs left undefined) is traced and compiled: they read 1 and 0', () => {
    // Forward only: TensorFlow.js's own gradient of it throws on the missing scale.
    const x = tf.tensor2d([1, 2, 3, 4, 5, 7], [3, 2]);
    const before = tf.memory().numTensors;
    const { program, results } = traceProgram((rows) => {
      const { mean, variance } = tf.moments(rows, 0);
      return [tf.batchNorm(rows, mean, variance, undefined, undefined, 1e-3)];
    }, [x]);
    assert.equal(tf.memory().numTensors, before);
    x.dispose();
    assert.ok(program.nodes.some((n) => n.kernel === 'FusedBatchNorm'));
    const out = new Float32Array(6);
    compileProgram(program).run([Float32Array.from([1, 2, 3, 4, 5, 7])], [out]);
    results[0].forEach((expected, i) => assert.ok(Math.abs(out[i] - expected) <= 1e-6 * Math.max(1, Math.abs(expected)), `${i}: ${out[i]} vs ${expected}`));
  });

  it('an objective that throws passes its error on; after releaseAbandonedTape (as the runner does) nothing is left', () => {
    const before = tf.memory().numTensors;
    const compiled = new CompiledValueAndGrad((x) => {
      tf.square(x);
      throw new Error('user bug');
    }, 2);
    assert.throws(() => compiled.run(new Float32Array(2), [], new Float32Array(2)), /user bug/);
    // tfjs keeps the tensors saved for a backward pass that never ran (see abandonedTape.ts).
    releaseAbandonedTape(tf);
    assert.equal(tf.memory().numTensors, before);
  });

  it('Rosenbrock chain (n = 50): value and gradient equal tfjs, no tensor leaked, and it compiles to 2 loops', () => {
    const n = 50;
    const x = Float32Array.from(spread(n, 4));
    const before = tf.memory().numTensors;
    const compiled = new CompiledValueAndGrad(rosenbrockChain, n);
    const grad = new Float32Array(n);
    const loss = compiled.run(x, [], grad);
    assert.equal(tf.memory().numTensors, before, 'tensors leaked by compiling');
    const expected = tfjsValueAndGrad(rosenbrockChain, x);
    assertClose([loss], [expected.loss], 1e-6, 'loss');
    assertClose(grad, expected.grad, 1e-6, 'gradient');
    // Forward terms and their sum in one loop over n − 1, the gradient's pads and sums in one over n.
    assert.equal(compiled.loops, 2);
    // A second call reuses the program: no new loops, the same numbers at a new point.
    const y = x.map((v) => v * 0.5);
    const lossY = compiled.run(y, [], grad);
    assert.equal(compiled.loops, 2);
    const expectedY = tfjsValueAndGrad(rosenbrockChain, y);
    assertClose([lossY], [expectedY.loss], 1e-6, 'loss at y');
    assertClose(grad, expectedY.grad, 1e-6, 'gradient at y');
  });

  it('2-D Rosenbrock of examples/rosenbrock.ts: value and gradient equal tfjs and it compiles to 2 loops', () => {
    const compiled = new CompiledValueAndGrad(rosenbrock2d, 2);
    const x = Float32Array.from([-1.2, 1]);
    const grad = new Float32Array(2);
    const loss = compiled.run(x, [], grad);
    const expected = tfjsValueAndGrad(rosenbrock2d, x);
    assertClose([loss], [expected.loss], 1e-6, 'loss');
    assertClose(grad, expected.grad, 1e-6, 'gradient');
    assert.equal(compiled.loops, 2);
  });

  const EDGE_CASES: [string, TensorObjective, number][] = [
    ['sum(x): the gradient is a constant', (x) => tf.sum(x), 4],
    ['x[0] alone: the gradient is a scatter into zeros', (x) => tf.sum(tf.square(x.gather(0))), 3],
    ['a slice only: the gradient is zero outside it', (x) => tf.sum(tf.exp(tf.slice(x, 1, 2))), 5],
    ['0 · sum(x) + 3: a zero gradient', (x) => tf.add(tf.mul(0, tf.sum(x)), 3), 3],
    ['one parameter', (x) => tf.sum(tf.sin(tf.square(x))), 1],
    ['x · x by tf.dot (x read by a matMul directly)', (x) => tf.dot(x, x) as tf.Scalar, 4],
    ['xᵀx of x as a 2×2 matrix', (x) => tf.sum(tf.matMul(x.reshape([2, 2]), x.reshape([2, 2]), true, false)), 4],
    ['max(x) with a tie', (x) => tf.max(tf.concat([x, x.slice(0, 1)])), 3],
    ['the mean used twice (variance)', (x) => tf.moments(x).variance as tf.Scalar, 6],
    ['a norm (sqrt of a reduction read back elementwise)', (x) => tf.norm(tf.sub(x, tf.mean(x))) as tf.Scalar, 5],
    ['log-sum-exp of x and of x²', (x) => tf.add(tf.logSumExp(x), tf.logSumExp(tf.square(x))), 5],
    ['the same value as two gradients parts (x + x)', (x) => tf.sum(tf.mul(tf.add(x, x), x)), 3],
  ];
  for (const [name, f, n] of EDGE_CASES) {
    it(`edge case: ${name}`, () => {
      const x = Float32Array.from(spread(n, 2).map((v) => v + 0.3));
      const before = tf.memory().numTensors;
      const compiled = new CompiledValueAndGrad(f, n);
      const grad = new Float32Array(n).fill(NaN);
      const loss = compiled.run(x, [], grad);
      assert.equal(tf.memory().numTensors, before, 'tensors leaked');
      const expected = tfjsValueAndGrad(f, x);
      assertClose([loss], [expected.loss], 1e-5, 'loss');
      assertClose(grad, expected.grad, 1e-5, 'gradient');
    });
  }

  it('extra inputs (a batch) of two shapes compile to two programs, each checked', () => {
    const f: TensorObjective = (w, [features, targets]) => tf.mean(tf.square(tf.sub(tf.matMul(features, w.reshape([3, 1])), targets)));
    const compiled = new CompiledValueAndGrad(f, 3);
    const w = Float32Array.from([0.5, -1, 2]);
    const grad = new Float32Array(3);
    for (const rows of [4, 2]) {
      const features = { values: Float32Array.from(spread(rows * 3, rows)), shape: [rows, 3] };
      const targets = { values: Float32Array.from(spread(rows, 7)), shape: [rows, 1] };
      const loss = compiled.run(w, [features, targets], grad);
      const expected = tf.tidy(() => {
        const ins = [tf.tensor(features.values, features.shape), tf.tensor(targets.values, targets.shape)];
        const { value, grad: g } = tf.valueAndGrad((p: tf.Tensor) => f(p as tf.Tensor1D, ins))(tf.tensor1d(w));
        return { loss: value.dataSync()[0], grad: Float32Array.from(g.dataSync()) };
      });
      assertClose([loss], [expected.loss], 1e-5, `loss with ${rows} rows`);
      assertClose(grad, expected.grad, 1e-5, `gradient with ${rows} rows`);
    }
  });
});
