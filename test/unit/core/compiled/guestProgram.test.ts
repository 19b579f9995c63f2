import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { compileProgram, type CompiledProgram } from '../../../../src/core/compiled/compileProgram';
import { guestsIn, type Placement } from '../../../../src/core/compiled/guestProgram';
import { HostMemory } from '../../../../src/core/compiled/hostMemory';
import { guestForms } from '../../../../src/core/compiled/instantiateProgram';
import { traceProgram } from '../../../../src/core/compiled/traceProgram';
import type { Program } from '../../../../src/core/compiled/program';
import { renameBuffers } from '../../../../src/core/wasm/loopIR';
import { sharedMemory } from '../../../../src/core/wasm/loopModule';
import { useCpuBackend } from './compiledCheck';

/**
 * A guest program's placements (guestProgram.ts): each gives the program's own results bit for bit,
 * for loops that touch a hosted array (the parameters, the gradient) and loops that do not, and the
 * loops that touch none are instantiated once for all placements.
 */
const N = 1000;
const M = 600;

/** Outputs [loss, g, v]: a loop over x storing g, one over a slice of x, one over w alone (no hosted array). */
function objective(x: tf.Tensor, w: tf.Tensor): tf.Tensor[] {
  const g = x.square().mul(3).add(1);
  const loss = x.mul(w.slice(0, 1)).sum().add(x.slice(0, 500).exp().sum()).add(w.exp().mul(0.5).sum());
  const v = w.abs().sqrt().add(2);
  return [loss, g, v];
}

function traced(): Program {
  const x = tf.tensor1d(Array.from({ length: N }, (_, i) => Math.sin(i)));
  const w = tf.tensor1d(Array.from({ length: M }, (_, i) => Math.cos(i)));
  try {
    return traceProgram(objective as (...inputs: tf.Tensor[]) => tf.Tensor[], [x, w]).program;
  } finally {
    tf.dispose([x, w]);
  }
}

/** Functions exported by the WebAssembly instances made while `body` runs. */
function exportedFunctions<T>(body: () => T): { value: T; functions: number } {
  const holder = WebAssembly as { Instance: typeof WebAssembly.Instance };
  const Original = holder.Instance;
  let functions = 0;
  holder.Instance = class extends Original {
    constructor(module: WebAssembly.Module, imports?: WebAssembly.Imports) {
      super(module, imports);
      functions += Object.keys(this.exports).length;
    }
  };
  try {
    return { value: body(), functions };
  } finally {
    holder.Instance = Original;
  }
}

/** How many of the program's WebAssembly loops touch the buffers of its input 0 or output 1. */
function loopsTouchingHosted(program: CompiledProgram): { loops: number; touching: number } {
  const form = guestForms.get(program);
  assert.ok(form, 'a WebAssembly program');
  const hosted = new Set([form.schedule.inputBuffers[0], form.schedule.outputBuffers[1]]);
  const touching = form.code.wasmLoops.filter((ir) => {
    let touches = false;
    renameBuffers(ir, (buf) => ((touches ||= hosted.has(buf)), buf));
    return touches;
  }).length;
  return { loops: form.code.wasmLoops.length, touching };
}

const same = (a: ArrayLike<number>, b: ArrayLike<number>, what: string) => {
  assert.equal(a.length, b.length, `${what}: length`);
  for (let i = 0; i < b.length; i++) assert.ok(Object.is(a[i], b[i]), `${what}[${i}]: ${a[i]} vs ${b[i]}`);
};

describe('a guest program placed twice in a host memory', () => {
  useCpuBackend();

  it("gives the program's own bits in either placement; loops that touch no hosted array are instantiated once", () => {
    const program = compileProgram(traced());
    const { loops, touching } = loopsTouchingHosted(program);
    assert.ok(touching >= 2 && loops - touching >= 1, `the test needs loops of both kinds: ${touching} of ${loops} touch a hosted array`);
    const host = new HostMemory(sharedMemory(1));
    // The two halves of a double buffer and a gradient, in the host's memory (the guest's region grows it).
    const [x0, x1, g] = [0, 1, 2].map((k) => new Float32Array(host.memory.buffer, k * 4096, N));
    const placement = (x: Float32Array): Placement => ({ inputs: [x, undefined], outputs: [undefined, g, undefined] });
    const { value: guests, functions } = exportedFunctions(() => guestsIn([{ program, placements: [placement(x0), placement(x1)] }]));
    const guest = guests?.[0];
    assert.ok(guest);
    const w = Float32Array.from({ length: M }, (_, i) => Math.cos(i / 3) * 2);
    for (const [x, shift] of [[x0, 0], [x1, 0.25], [x0, -0.5]] as const) {
      x.set(Float32Array.from({ length: N }, (_, i) => Math.sin(i / 7) + shift));
      const expected = program.outputSizes.map((n) => new Float32Array(n));
      program.run([x.slice(), w], expected);
      const loss = new Float32Array(1);
      const v = new Float32Array(M);
      g.fill(NaN);
      assert.ok(guest.run([x, w], [loss, g, v]), 'runs in place');
      same(loss, expected[0], 'loss');
      same(g, expected[1], 'g');
      same(v, expected[2], 'v');
    }
    assert.equal(functions, loops + touching, 'one instance of the loops that touch no hosted array');
  });

  it("the same program compiled again and placed at the same addresses gives the same bits; the earlier guest declines", () => {
    const host = new HostMemory(sharedMemory(1));
    const [x0, x1, g] = [0, 1, 2].map((k) => new Float32Array(host.memory.buffer, k * 4096, N));
    const placement = (x: Float32Array): Placement => ({ inputs: [x, undefined], outputs: [undefined, g, undefined] });
    const place = (program: CompiledProgram) => guestsIn([{ program, placements: [placement(x0), placement(x1)] }])?.[0];
    const first = place(compileProgram(traced()));
    const program = compileProgram(traced());
    const second = place(program);
    assert.ok(first && second);
    const w = Float32Array.from({ length: M }, (_, i) => 1 - i / M);
    x1.set(Float32Array.from({ length: N }, (_, i) => Math.cos(i / 5)));
    const outputs = () => [new Float32Array(1), g, new Float32Array(M)];
    assert.equal(first.run([x1, w], outputs()), false, 'a newer guest took the region');
    const expected = program.outputSizes.map((n) => new Float32Array(n));
    program.run([x1.slice(), w], expected);
    const got = outputs();
    assert.ok(second.run([x1, w], got));
    got.forEach((out, k) => same(out, expected[k], `output ${k}`));
  });
});
