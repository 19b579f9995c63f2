import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { minimizeArrays } from '../../../../src/core/arrays/minimizeArrays';
import type { ArrayOptimizer } from '../../../../src/core/arrays/contracts';
import { CompiledValueAndGrad } from '../../../../src/core/compiled/compileValueAndGrad';
import { compileProgram } from '../../../../src/core/compiled/compileProgram';
import { traceProgram } from '../../../../src/core/compiled/traceProgram';
import { createOptimizer } from '../../../../src/core/optimizers/registry';
import { constantSchedule } from '../../../../src/core/schedule';
import { spread, useCpuBackend, rosenbrockChain } from './compiledCheck';

/**
 * CompileOptions.squaredNormOf: the squared norm of an output, summed by the
 * loop that stores it (JS and WebAssembly) or after the run when no loop does;
 * and minimizeArrays using it instead of its own pass over the gradient.
 */

const sumOfSquares = (a: Float32Array) => a.reduce((s, v) => s + v * v, 0);

describe('compiled programs: squared norms of outputs', () => {
  useCpuBackend();

  for (const wasm of [false, true]) {
    it(`sums the gradient's squares in the loop that writes it (${wasm ? 'WebAssembly' : 'JS'})`, () => {
      const n = 1001;
      const x = tf.tensor1d(spread(n));
      const { program: traced } = traceProgram((p) => {
        const { value, grad } = tf.valueAndGrad((q: tf.Tensor) => rosenbrockChain(q))(p);
        return [value, grad];
      }, [x]);
      x.dispose();
      const program = compileProgram(traced, { wasm, squaredNormOf: [1] });
      assert.equal(program.wasmLoops > 0, wasm);
      // Summed inside a loop: no separate pass in the source (the JS form names the sum sumOfSquares…).
      assert.match(program.source, wasm ? /squaredNorms\[0\] = wasmLoops\[\d+\]\(\)/ : /sumOfSquares\d+ \+= (\w+) \* \1;/);
      const loss = new Float32Array(1);
      const grad = new Float32Array(n);
      for (const scale of [1, 0.5]) {
        program.run([Float32Array.from(spread(n), (v) => v * scale)], [loss, grad]);
        const expected = sumOfSquares(grad);
        assert.ok(Math.abs(program.squaredNorms[0] - expected) <= 1e-12 * expected, `${program.squaredNorms[0]} vs ${expected}`);
      }
    });
  }

  it('sums after the run when no loop stores the output (a matMul result)', () => {
    const a = tf.tensor2d(spread(12), [3, 4]);
    const b = tf.tensor2d(spread(8, 5), [4, 2]);
    const { program: traced } = traceProgram((p, q) => [tf.matMul(p as tf.Tensor2D, q as tf.Tensor2D)], [a, b]);
    tf.dispose([a, b]);
    const program = compileProgram(traced, { squaredNormOf: [0] });
    const out = new Float32Array(6);
    program.run([Float32Array.from(spread(12)), Float32Array.from(spread(8, 5))], [out]);
    assert.equal(program.squaredNorms[0], sumOfSquares(out));
  });

  it('minimizeArrays reports the compiled gradient norm, the same as its own pass', async () => {
    const n = 500;
    const compiled = new CompiledValueAndGrad(rosenbrockChain, n);
    const x0 = Float32Array.from(spread(n));
    const run = (withNorm: boolean) =>
      minimizeArrays({
        objective: {
          size: n,
          valueAndGrad: (x, _step, g) => compiled.run(x, [], g),
          ...(withNorm ? { lastGradNormSq: () => compiled.gradNormSq } : {}),
        },
        x0,
        optimizer: createOptimizer('adam', {}).arrays as ArrayOptimizer,
        schedule: constantSchedule(1e-3),
        steps: 20,
        onMetrics: (batch) => records[withNorm ? 1 : 0].push(...batch.map((r) => r.gradNorm)),
      });
    const records: number[][] = [[], []];
    const own = await run(false);
    const fromProgram = await run(true);
    assert.equal(records[1].length, 20);
    records[1].forEach((g, k) => assert.ok(Math.abs(g - records[0][k]) <= 1e-12 * records[0][k], `step ${k}: ${g} vs ${records[0][k]}`));
    assert.ok(Math.abs(fromProgram.final.gradNorm - own.final.gradNorm) <= 1e-12 * own.final.gradNorm);
    assert.deepEqual(Array.from(fromProgram.params), Array.from(own.params));
  });
});
