import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { sharedTemps, stepBuffers } from '../../../../src/core/compiled/bufferLifetimes';
import { compileProgram } from '../../../../src/core/compiled/compileProgram';
import { fuseLoops } from '../../../../src/core/compiled/fuseLoops';
import { planOf } from '../../../../src/core/compiled/instantiateProgram';
import type { Schedule, Step } from '../../../../src/core/compiled/schedule';
import { traceProgram } from '../../../../src/core/compiled/traceProgram';
import { valueGraph } from '../../../../src/core/compiled/valueGraph';
import { reservedBytes } from '../../../../src/core/wasm/loopModule';
import { spread, valueAndGrads } from './compiledCheck';

/**
 * Temps whose lives in a run do not overlap share bytes of the program's memory (bufferLifetimes.ts):
 * on a hand-made schedule the placement is the expected one; on a traced network no two temps alive at
 * one step overlap in bytes, the memory is smaller than one region per buffer, and the WebAssembly
 * program (shared bytes) gives the bits of the all-JS program (an array per buffer), run after run.
 */

const store = (buf: number, from: number): Step => ({
  kind: 'loop',
  loop: { size: 64, ops: [{ kind: 'elementwise', local: 0, kernel: 'Neg', attrs: {}, args: [{ op: 'read', buf: from, read: { kind: 'offset', k: 0 } }], int32: false }, { kind: 'store', buf, local: 0 }] },
});

/** A layer norm + dense + tanh-free MLP, forward and backward: many temps of several sizes and lives. */
const network = valueAndGrads((x: tf.Tensor, w1: tf.Tensor, w2: tf.Tensor) => {
  const { mean, variance } = tf.moments(x, -1, true);
  const normed = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5)));
  const hidden = tf.relu(tf.matMul(normed, w1));
  return tf.sum(tf.square(tf.matMul(tf.mul(hidden, hidden), w2)), -1);
});
const SHAPES = [[48, 40], [40, 72], [72, 24]];

describe('compiled programs: temps share bytes when their lives do not overlap', () => {
  it('a chain of temps: neighbours apart, the first and the third in the same bytes', () => {
    // input 0 → temp 1 (steps 0-1) → temp 2 (steps 1-2) → temp 3 (steps 2-3) → output 4.
    const schedule: Schedule = {
      buffers: [{ size: 64, role: 'input' }, { size: 64, role: 'temp' }, { size: 64, role: 'temp' }, { size: 64, role: 'temp' }, { size: 64, role: 'output' }],
      maps: [], steps: [store(1, 0), store(2, 1), store(3, 2), store(4, 3)], inputBuffers: [0], outputBuffers: [4], squaredNormOf: [], normsInLoops: new Set(),
    };
    const { offsets, bytes } = sharedTemps(schedule);
    assert.deepEqual([offsets.get(1), offsets.get(2), offsets.get(3)], [0, reservedBytes(64), 0]);
    assert.equal(bytes, 2 * reservedBytes(64));
    assert.equal(offsets.has(0) || offsets.has(4), false, 'inputs and outputs keep their own bytes');
  });

  it('a traced network: no two temps alive at one step share a byte, and the memory shrinks', () => {
    const tensors = SHAPES.map((shape, k) => tf.tensor(spread(shape[0] * shape[1], 5 * k), shape));
    const { program } = traceProgram(network, tensors);
    tf.dispose(tensors);
    const schedule = fuseLoops(valueGraph(program), []);
    const { offsets } = sharedTemps(schedule);
    const life = new Map<number, [number, number]>();
    schedule.steps.forEach((step, s) => stepBuffers(step).forEach((buf) => life.set(buf, [life.get(buf)?.[0] ?? s, s])));
    const shared = [...offsets.keys()];
    assert.ok(shared.length > 5, `${shared.length} shared temps`);
    for (const a of shared) {
      for (const b of shared) {
        if (a >= b) continue;
        const [fa, la] = life.get(a) as [number, number];
        const [fb, lb] = life.get(b) as [number, number];
        const bytesOverlap = (offsets.get(a) as number) < (offsets.get(b) as number) + reservedBytes(schedule.buffers[b].size) && (offsets.get(b) as number) < (offsets.get(a) as number) + reservedBytes(schedule.buffers[a].size);
        assert.ok(!bytesOverlap || la < fb || lb < fa, `temps ${a} (steps ${fa}-${la}) and ${b} (steps ${fb}-${lb}) share bytes while both alive`);
      }
    }
    const ownBytes = schedule.buffers.reduce((total, spec) => total + reservedBytes(spec.size), 0) + schedule.maps.reduce((total, map) => total + reservedBytes(map.length), 0);
    assert.ok(planOf(schedule, () => false).pages < Math.ceil(ownBytes / 65536), 'shared bytes make a smaller memory');
  });

  it('the WebAssembly program (shared bytes) gives the all-JS program\'s bits, run after run', () => {
    const values = SHAPES.map((shape, k) => Float32Array.from(spread(shape[0] * shape[1], 5 * k)));
    const tensors = SHAPES.map((shape, k) => tf.tensor(values[k], shape));
    const before = tf.memory().numTensors;
    const { program: traced, results } = traceProgram(network, tensors);
    tf.dispose(tensors);
    assert.equal(tf.memory().numTensors, before - tensors.length, 'tensors leaked');
    const wasm = compileProgram(traced, { wasm: true });
    const js = compileProgram(traced, { wasm: false });
    assert.ok(wasm.wasmLoops > 3);
    const run = (p: typeof wasm) => {
      const outputs = p.outputSizes.map((n) => new Float32Array(n).fill(12345));
      p.run(values, outputs);
      return outputs;
    };
    const reference = run(js);
    for (let round = 0; round < 3; round++) {
      const outputs = run(wasm);
      outputs.forEach((out, k) => out.forEach((v, i) => assert.ok(Object.is(v, reference[k][i]), `round ${round}: output ${k}[${i}] is ${v}, ${reference[k][i]} in JS`)));
    }
    // And TensorFlow.js's values, loosely (the JS program's agreement is the other tests' business).
    results.forEach((r, k) => r.forEach((v, i) => assert.ok(Math.abs(reference[k][i] - v) <= 1e-3 * Math.max(1, Math.abs(v)), `output ${k}[${i}]`)));
  });
});
