import { strict as assert } from 'node:assert';
import { setFlagsFromString } from 'node:v8';
import * as tf from '@tensorflow/tfjs';
import { relativeError } from '../../../../src/core/compiled/agreement';
import { compileProgram } from '../../../../src/core/compiled/compileProgram';
import type { ConvGeometry } from '../../../../src/core/compiled/convKernels';
import { allowFusedProducts, registerMemory } from '../../../../src/core/compiled/gemmKernels';
import { inputGradientScratchFloats, phasePlan, wasmInputGradient } from '../../../../src/core/compiled/inputGradientWasm';
import { traceProgram } from '../../../../src/core/compiled/traceProgram';
import { MemoryPlan } from '../../../../src/core/wasm/loopModule';
import { spread, useCpuBackend } from './compiledCheck';

setFlagsFromString('--experimental-wasm-relaxed-simd');

/**
 * A relu's (or leaky relu's) gradient and its bias's computed as the convolution input gradient below them stores
 * dx (inputGradientEpilogues.ts, inputGradientWasm.ts): the kernel's products are dx·step(y) as one float32 multiply
 * each (NaN, ±0, ±∞ and the slope included), its sums the products added in the kernel's documented order; a
 * two-layer network compiled takes the epilogue (no loop re-reads the layer) and gives TensorFlow.js's gradients,
 * NaN where its are.
 */
const GEOMETRY: ConvGeometry = [2, 8, 6, 16, 4, 3, 8, 3, 3, 2, 2, 1, 1, 0, 0];
const SLOTS = 4;

/** dx·step(y) as tf's Step: y > 0: 1; NaN: NaN; else alpha. */
const stepped = (dx: number, y: number, alpha: number) => Math.fround(dx * (y > 0 ? 1 : y !== y ? y : Math.fround(alpha)));

/** The sums in the kernel's order: by image, phase row and phase; each block's 2 pixels added, into slot (px / 2) mod 4. */
function kernelSums(g: readonly number[], products: Float32Array): Float32Array {
  const [batch, , inW, inC, , , , , , sh, sw] = g;
  const plan = phasePlan(g);
  assert.ok(plan);
  const partial = Array.from({ length: SLOTS }, () => new Float32Array(inC));
  const rows = Math.max(...plan.phases.map((p) => p.rows));
  const at = (b: number, y: number, x: number) => ((b * g[1] + y) * inW + x) * inC;
  for (let b = 0; b < batch; b++) for (let py = 0; py < rows; py++) for (const phase of plan.phases) {
    if (py >= phase.rows) continue;
    for (let px = 0; px < phase.cols; px += 2) {
      const slot = partial[(px / 2) % SLOTS];
      const first = at(b, phase.ry + sh * py, phase.rx + sw * px);
      for (let c = 0; c < inC; c++) {
        const block = px + 1 < phase.cols ? Math.fround(products[first + c] + products[first + sw * inC + c]) : products[first + c];
        slot[c] = Math.fround(slot[c] + block);
      }
    }
  }
  return Float32Array.from({ length: inC }, (_, c) => partial.reduce((sum, p) => Math.fround(sum + p[c]), 0));
}

const sameNumbers = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]) || (Number.isNaN(v) && Number.isNaN(b[i])));

describe('the input gradient\'s epilogue: relu and bias gradients as dx is stored', () => {
  useCpuBackend();
  afterEach(() => allowFusedProducts(true));

  for (const alpha of [0, 0.2]) {
    it(`step with alpha ${alpha}: products of the plain kernel's dx, sums in the kernel's order, NaN, ±0 and ±∞ in the mask`, () => {
      const g = GEOMETRY;
      const [batch, inH, inW, inC, outH, outW, outC, fh, fw] = g;
      const sizes = [batch * outH * outW * outC, fh * fw * inC * outC, batch * inH * inW * inC, batch * inH * inW * inC, batch * inH * inW * inC, inC, inputGradientScratchFloats(g)];
      const plan = new MemoryPlan();
      sizes.forEach((n) => plan.reserve(n));
      const { memory, f32: [dy, filterT, plain, dx, mask, sums, scratch] } = plan.allocate();
      registerMemory(memory);
      dy.set(spread(dy.length, 1));
      filterT.set(spread(filterT.length, 2));
      const special = [NaN, 0, -0, Infinity, -Infinity, -1.5, 2.5, 1e-40];
      mask.set(spread(mask.length, 3).map((v, i) => (i % 7 === 0 ? special[(i / 7) % special.length] : v)));
      assert.ok(wasmInputGradient(dy, filterT, plain, scratch, g));
      sums.fill(12345);
      assert.ok(wasmInputGradient(dy, filterT, dx, scratch, g, { mask, alpha, sums }));
      const expected = plain.map((v, i) => stepped(v, mask[i], alpha));
      assert.ok(sameNumbers(dx, expected), 'dx·step(y), one float32 multiply each');
      assert.ok(expected.some((v) => Number.isNaN(v)) && (alpha !== 0 || expected.some((v) => Object.is(v, -0))), 'NaN (and with alpha 0, −0) reach the products');
      assert.ok(sameNumbers(sums, kernelSums(g, expected)), 'the sums in the kernel\'s order');
      // Without sums: the same products, the sums untouched.
      sums.fill(7);
      assert.ok(wasmInputGradient(dy, filterT, dx, scratch, g, { mask, alpha }));
      assert.ok(sameNumbers(dx, expected) && sums.every((v) => v === 7));
    });
  }

  const net = (act: (t: tf.Tensor) => tf.Tensor) => (x: tf.Tensor, f1: tf.Tensor, b1: tf.Tensor, f2: tf.Tensor): tf.Tensor[] => {
    const loss = (f: tf.Tensor, b: tf.Tensor, g: tf.Tensor) => {
      const hidden = act(tf.add(tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'same'), b));
      return tf.sum(tf.square(tf.conv2d(hidden as tf.Tensor4D, g as tf.Tensor4D, 2, 'same')));
    };
    const [gf1, gb1, gf2] = tf.grads((f, b, g) => loss(f, b, g))([f1, b1, f2]);
    return [loss(f1, b1, f2), gf1, gb1, gf2];
  };
  // tf.leakyRelu's gradient is a Select; a leaky relu whose gradient is written with tf.step's alpha gives Step(y, 0.2).
  const leaky = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const t = args[0] as tf.Tensor;
    (args[1] as tf.GradSaveFunc)([t]);
    return { value: tf.leakyRelu(t, 0.2), gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, tf.step(saved[0], 0.2)) };
  }) as (t: tf.Tensor) => tf.Tensor;
  for (const [name, act, alpha] of [['relu', tf.relu, '0'], ['leaky relu with a Step gradient (alpha 0.2)', leaky, '0.2']] as const) {
    it(`conv → bias → ${name} → conv, compiled: the input gradient's call computes the ${name}'s and the bias's gradients; TensorFlow.js's values, NaN where its`, () => {
      const shapes = [[2, 8, 6, 3], [3, 3, 3, 16], [16], [3, 3, 16, 8]];
      for (const [poisoned, wasm] of [[false, true], [true, true], [false, false], [true, false]]) {
        const values = shapes.map((s, k) => Float32Array.from(spread(s.reduce((a, b) => a * b), k + 1).map((v) => (k === 0 ? v : 0.3 * v))));
        if (poisoned) values[0][17] = NaN;
        const tensors = values.map((v, k) => tf.tensor(v, shapes[k]));
        try {
          const { program, results } = traceProgram((...t) => net(act)(t[0], t[1], t[2], t[3]), tensors);
          // Without WebAssembly the call computes the same after the JS product and col2im (convKernels' stepAndSums).
          const compiled = compileProgram(program, { wasm });
          assert.match(compiled.source, new RegExp(`kernels\\.conv2dBackpropInput\\([^)]*, temp\\d+, (temp|output)\\d+, ${alpha.replace('.', '\\.')}\\)`), 'mask, sums and alpha passed to the call');
          const actual = compiled.outputSizes.map((n) => new Float32Array(n).fill(12345));
          compiled.run(values, actual);
          results.forEach((expected, k) => {
            const nan = expected.map((v) => (Number.isNaN(v) ? 1 : 0));
            const where = `output ${k}${wasm ? '' : ', JS'}`;
            assert.deepEqual(actual[k].map((v) => (Number.isNaN(v) ? 1 : 0)), nan, `${where}: NaN where TensorFlow.js's is`);
            if (!poisoned) assert.ok(relativeError(actual[k], expected) <= 1e-5, `${where}: ${relativeError(actual[k], expected).toExponential(2)} relative`);
          });
        } finally {
          tf.dispose(tensors);
        }
      }
    });
  }
});
