/**
 * Stage 5 of compileProgram: the runtime. Allocates every buffer once (so a
 * run allocates nothing), instantiates the WebAssembly loops over one memory
 * when there are any, and wraps the generated function as a CompiledProgram.
 */
import { MemoryPlan, instantiateLoops, type LoopFunction } from '../wasm/loopModule';
import type { CompiledProgram, ResidentProgram } from './compileProgram';
import type { GeneratedCode } from './generateCode';
import { PARAMETERS } from './jsNames';
import type { Schedule } from './schedule';
import { STANDALONE, type Standalone } from './standaloneKernels';

type ProgramFunction = (buffers: Float32Array[], maps: readonly Int32Array[], kernels: Standalone, wasmLoops: LoopFunction[], squaredNorms: Float64Array) => void;

/** What the JS and the WebAssembly form share: sizes, checks, norms. */
interface Shared {
  readonly fn: ProgramFunction;
  readonly inputSizes: readonly number[];
  readonly outputSizes: readonly number[];
  readonly squaredNorms: Float64Array;
  check(inputs: readonly Float32Array[], outputs: readonly Float32Array[]): void;
  /** Squared norms of outputs no loop stores (copies, matMul results), summed after the run. */
  sumSquaresAfter(outputs: readonly Float32Array[]): void;
  readonly common: Omit<CompiledProgram, 'run' | 'resident'>;
}

/** The program, or undefined when its WebAssembly memory cannot be had (beyond 4 GiB, or the engine refuses). */
export function instantiateProgram(schedule: Schedule, code: GeneratedCode): CompiledProgram | undefined {
  const shared = sharedParts(schedule, code);
  return code.wasmLoops.length === 0 ? inJs(schedule, shared) : inWasm(schedule, code, shared);
}

function sharedParts(schedule: Schedule, code: GeneratedCode): Shared {
  const fn = new Function(...PARAMETERS, code.source) as ProgramFunction;
  const sizes = (buffers: readonly number[]) => buffers.map((buf) => schedule.buffers[buf].size);
  const inputSizes = sizes(schedule.inputBuffers);
  const outputSizes = sizes(schedule.outputBuffers);
  const squaredNorms = new Float64Array(schedule.squaredNormOf.length);
  const normsAfter = schedule.squaredNormOf.map((output, slot) => ({ output, slot })).filter(({ slot }) => !schedule.normsInLoops.has(slot));
  const checkSizes = (arrays: readonly Float32Array[], expected: readonly number[], what: string) =>
    arrays.forEach((array, k) => {
      if (array.length !== expected[k]) throw new RangeError(`${what} ${k} has ${array.length} elements, the program was traced with ${expected[k]}`);
    });
  return {
    fn, inputSizes, outputSizes, squaredNorms,
    check(inputs, outputs) {
      checkSizes(inputs, inputSizes, 'input');
      checkSizes(outputs, outputSizes, 'output');
    },
    sumSquaresAfter(outputs) {
      for (const { output, slot } of normsAfter) {
        const values = outputs[output];
        let sum = 0;
        for (let i = 0; i < values.length; i++) sum += values[i] * values[i];
        squaredNorms[slot] = sum;
      }
    },
    common: { inputSizes, outputSizes, squaredNorms, loops: code.loops, wasmLoops: code.wasmLoops.length, jsLoops: code.jsLoops, source: code.source },
  };
}

/** All loops in JS: inputs and outputs are the caller's arrays, the other buffers plain Float32Arrays. */
function inJs(schedule: Schedule, shared: Shared): CompiledProgram {
  const { fn, check, sumSquaresAfter, squaredNorms, inputSizes, outputSizes } = shared;
  const { inputBuffers, outputBuffers, maps } = schedule;
  const buffers = schedule.buffers.map((spec) => (spec.role === 'constant' || spec.role === 'temp' ? (spec.init ?? new Float32Array(spec.size)) : new Float32Array(0)));
  return {
    ...shared.common,
    run(inputs, outputs) {
      check(inputs, outputs);
      // No copies: the caller's arrays are the program's input and output buffers.
      inputs.forEach((array, k) => (buffers[inputBuffers[k]] = array));
      outputs.forEach((array, k) => (buffers[outputBuffers[k]] = array));
      fn(buffers, maps, STANDALONE, [], squaredNorms);
      sumSquaresAfter(outputs);
    },
    resident: (pairs) => {
      const own = [...buffers];
      inputBuffers.forEach((buf, k) => (own[buf] = new Float32Array(inputSizes[k])));
      outputBuffers.forEach((buf, k) => (own[buf] = new Float32Array(outputSizes[k])));
      return residentRun(own, inputBuffers, outputBuffers, pairs, (views, _swapped, outputs) => {
        fn(views, maps, STANDALONE, [], squaredNorms);
        sumSquaresAfter(outputs);
      });
    },
  };
}

/**
 * Every buffer and index map in the WebAssembly memory (JS loops and standalone kernels read it
 * through views): inputs are copied in and outputs out, once per run.
 */
function inWasm(schedule: Schedule, code: GeneratedCode, shared: Shared): CompiledProgram | undefined {
  const { fn, check, sumSquaresAfter, squaredNorms } = shared;
  const { inputBuffers, outputBuffers } = schedule;
  const plan = new MemoryPlan();
  schedule.buffers.forEach((spec) => plan.reserve(spec.size));
  schedule.maps.forEach((map) => plan.reserve(map.length));
  let allocated: ReturnType<MemoryPlan['allocate']>;
  try {
    allocated = plan.allocate();
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    return undefined;
  }
  const { memory, f32, i32 } = allocated;
  const buffers = f32.slice(0, schedule.buffers.length);
  schedule.buffers.forEach((spec, k) => spec.init && buffers[k].set(spec.init));
  const maps = schedule.maps.map((map, k) => {
    const view = i32[schedule.buffers.length + k];
    view.set(map);
    return view;
  });
  // In the IR, map k is buffer −(k + 1): it lives right after the buffers.
  const mapBase = schedule.buffers.length - 1;
  const addressOf = (rename: (buf: number) => number) => (buf: number) => plan.address(buf >= 0 ? rename(buf) : mapBase - buf);
  const loops = instantiateLoops(code.wasmLoops, addressOf((buf) => buf), memory);
  return {
    ...shared.common,
    run(inputs, outputs) {
      check(inputs, outputs);
      inputs.forEach((array, k) => buffers[inputBuffers[k]].set(array));
      fn(buffers, maps, STANDALONE, loops, squaredNorms);
      outputs.forEach((array, k) => array.set(buffers[outputBuffers[k]]));
      sumSquaresAfter(outputs);
    },
    resident: (pairs) => {
      // The loops' addresses are compiled in: the swapped half of the double buffer gets its own instance.
      const swap = swapOf(pairs.map(([i, o]) => [inputBuffers[i], outputBuffers[o]]));
      const swappedLoops = instantiateLoops(code.wasmLoops, addressOf(swap), memory);
      return residentRun(buffers, inputBuffers, outputBuffers, pairs, (views, swapped, outputs) => {
        fn(views, maps, STANDALONE, swapped ? swappedLoops : loops, squaredNorms);
        sumSquaresAfter(outputs);
      });
    },
  };
}

/** The buffer renaming that exchanges each pair's two buffers. */
function swapOf(pairs: readonly (readonly [number, number])[]): (buf: number) => number {
  const to = new Map<number, number>();
  for (const [one, other] of pairs) to.set(one, other).set(other, one);
  return (buf) => to.get(buf) ?? buf;
}

/** A ResidentProgram over `buffers`: every other run sees each pair's buffers exchanged. */
function residentRun(
  buffers: readonly Float32Array[],
  inputBuffers: readonly number[],
  outputBuffers: readonly number[],
  pairs: readonly (readonly [number, number])[],
  body: (views: Float32Array[], swapped: boolean, outputs: Float32Array[]) => void,
): ResidentProgram {
  const swap = swapOf(pairs.map(([i, o]) => [inputBuffers[i], outputBuffers[o]]));
  const views = [[...buffers], buffers.map((_, buf) => buffers[swap(buf)])];
  // Both halves' input and output lists, made once: at small sizes a run costs about as much as allocating them.
  const inputs = views.map((v) => inputBuffers.map((buf) => v[buf]));
  const outputs = views.map((v) => outputBuffers.map((buf) => v[buf]));
  let swapped = false;
  const state = {
    inputs: inputs[0],
    outputs: outputs[0],
    run() {
      const half = swapped ? 1 : 0;
      body(views[half], swapped, outputs[half]);
      swapped = !swapped;
      state.inputs = inputs[1 - half];
      state.outputs = outputs[1 - half];
    },
  };
  return state;
}
