import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { CompiledValueAndGrad } from '../../../../src/core/compiled/compileValueAndGrad';
import { classifyMap } from '../../../../src/core/compiled/indexMaps';
import { compileLoopJs } from '../../../../src/core/compiled/loopJs';
import type { LoopIR, Read } from '../../../../src/core/wasm/loopIR';
import { runLoopsInWasm } from '../../helpers/wasmLoopRunner';

/**
 * Reads a vector loop takes as whole vectors (emitLoop.ts): buf[k + i mod m] with m a multiple of 4
 * (one load) and buf[⌊i / d⌋] with d a multiple of 4 (one load, splatted), and the offset modulo
 * pattern itself (a per-channel parameter sliced from the parameter vector: batch norm's γ and β).
 */

const SIZES = [0, 3, 8, 37, 256, 1001];

/** out[i] = a[read(i)] · 2 + b[i]: a per-element expected value computed here, not by the compiler. */
function storeCase(read: Read, size: number, aLength: number) {
  const ir: LoopIR = {
    size,
    scalars: [],
    accumulators: [],
    body: [
      {
        op: 'store',
        buf: 2,
        value: { op: 'fr', a: { op: 'add', a: { op: 'mul', a: { op: 'read', buf: 0, read }, b: { op: 'lit', value: 2 } }, b: { op: 'read', buf: 1, read: { kind: 'offset', k: 0 } } } },
      },
    ],
  };
  const a = Float32Array.from({ length: aLength }, (_, j) => Math.fround(0.37 * j - 3.1));
  const b = Float32Array.from({ length: size }, (_, j) => Math.fround(Math.sin(j)));
  const indexOf = (i: number) => (read.kind === 'modulo' ? (read.k ?? 0) + (i % read.m) : read.kind === 'divide' ? Math.floor(i / read.d) : i);
  const expected = Float32Array.from({ length: size }, (_, i) => Math.fround(a[indexOf(i)] * 2 + b[i]));
  return { ir, buffers: new Map<number, Float32Array>([[0, a], [1, b], [2, new Float32Array(size)]]), expected };
}

describe('vector reads of modulo and divide patterns', () => {
  // Its own backend: run first (this folder alone), no earlier file has initialised one.
  before(async () => {
    await tf.setBackend('cpu');
  });

  const reads: Read[] = [
    { kind: 'modulo', m: 8 },
    { kind: 'modulo', m: 8, k: 72 },
    { kind: 'modulo', m: 4, k: 3 },
    { kind: 'modulo', m: 6, k: 5 },
    { kind: 'divide', d: 4 },
    { kind: 'divide', d: 12 },
    { kind: 'divide', d: 3 },
  ];
  for (const read of reads) {
    it(`${JSON.stringify(read)}: WebAssembly and JS loops give the element-by-element values`, () => {
      const cases = SIZES.map((size) => storeCase(read, size, 100 + size));
      const runs = runLoopsInWasm(cases.map((c) => ({ ir: c.ir, buffers: c.buffers, scalars: [] })));
      cases.forEach((c, k) => {
        assert.deepEqual(Array.from(runs[k].buffers.get(2) as Float32Array), Array.from(c.expected), `wasm, size ${c.ir.size}`);
        const js = Object.fromEntries([...c.buffers].map(([id, b]) => [id, b.slice()]));
        compileLoopJs(c.ir)(js)();
        assert.deepEqual(Array.from(js[2]), Array.from(c.expected), `JS, size ${c.ir.size}`);
      });
    });
  }

  it('classifyMap finds k + i mod m, and keeps i mod m without an offset', () => {
    assert.deepEqual(classifyMap(Int32Array.from([72, 73, 74, 72, 73, 74, 72])), { kind: 'modulo', m: 3, k: 72 });
    assert.deepEqual(classifyMap(Int32Array.from([0, 1, 0, 1])), { kind: 'modulo', m: 2 });
    assert.equal(classifyMap(Int32Array.from([5, 6, 5, 7])).kind, 'general');
  });

  it('a per-channel scale and shift sliced from the parameter vector compiles to offset modulo reads and agrees with TensorFlow.js', () => {
    const channels = 8;
    const images = Float32Array.from({ length: 64 * channels }, (_, j) => Math.fround(Math.cos(0.3 * j)));
    const objective = (p: tf.Tensor1D, inputs: readonly tf.Tensor[]) => {
      const gamma = tf.slice(p, [3], [channels]);
      const beta = tf.slice(p, [3 + channels], [channels]);
      return tf.sum(tf.square(tf.add(tf.mul(inputs[0], gamma), beta))) as tf.Scalar;
    };
    const x = Float32Array.from({ length: 3 + 2 * channels }, (_, j) => Math.fround(0.1 * j - 0.4));
    const compiled = new CompiledValueAndGrad(objective, x.length);
    const grad = new Float32Array(x.length);
    const before = tf.memory().numTensors;
    const loss = compiled.run(x, [{ values: images, shape: [64, channels] }], grad);
    const expected = tf.tidy(() => {
      const { value, grad: g } = tf.valueAndGrad((p: tf.Tensor1D) => objective(p, [tf.tensor2d(images, [64, channels])]))(tf.tensor1d(x));
      return { value: value.dataSync()[0], grad: Array.from(g.dataSync()) };
    });
    assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
    assert.ok(Math.abs(loss - expected.value) <= 1e-5 * Math.abs(expected.value), `loss ${loss} vs ${expected.value}`);
    expected.grad.forEach((g, j) => assert.ok(Math.abs(grad[j] - g) <= 1e-4 * (1 + Math.abs(g)), `grad[${j}] ${grad[j]} vs ${g}`));
    assert.ok(compiled.wasmLoops > 0, 'the loops ran as WebAssembly');
  });
});
