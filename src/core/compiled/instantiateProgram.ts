/**
 * Stage 5 of compileProgram: the runtime. Allocates every buffer once (so a
 * run allocates nothing), instantiates the WebAssembly loops over one memory
 * when there are any, and wraps the generated function as a CompiledProgram.
 */
import { MAX_PAGES, MemoryPlan, instantiateLoops, sharedMemory, type LoopFunction } from '../wasm/loopModule';
import { sharedTemps, type SharedPlacement } from './bufferLifetimes';
import type { CompiledProgram, ResidentProgram } from './compileProgram';
import type { GeneratedCode } from './generateCode';
import { registerMemory } from './gemmKernels';
import { HostMemory } from './hostMemory';
import { PARAMETERS } from './jsNames';
import type { Schedule } from './schedule';
import { STANDALONE, type Standalone } from './standaloneKernels';

type ProgramFunction = (buffers: Float32Array[], maps: readonly Int32Array[], kernels: Standalone, wasmLoops: LoopFunction[], squaredNorms: Float64Array) => void;

/** The program, or undefined when its WebAssembly memory cannot be had (beyond 4 GiB, or the engine refuses). */
export function instantiateProgram(schedule: Schedule, code: GeneratedCode): CompiledProgram | undefined {
  return code.wasmLoops.length === 0 ? new JsProgram(schedule, code) : inWasm(schedule, code);
}

/** What a WebAssembly program needs to run again over another memory as a guest (guestProgram.ts). */
export interface GuestForm {
  readonly schedule: Schedule;
  readonly code: GeneratedCode;
  readonly parts: ReturnType<typeof partsOf>;
  /** Its temps' shared bytes (bufferLifetimes.ts), as its own plan has them: the same for every placement. */
  readonly sharedTemps: SharedPlacement;
}

/** Each WebAssembly program's guest form (a JS program runs on its caller's arrays already). */
export const guestForms = new WeakMap<CompiledProgram, GuestForm>();

/** Characters of generated source kept for reuse (the oldest functions are dropped past it). */
const MAX_KEPT_SOURCE = 4_000_000;
const functionsBySource = new Map<string, ProgramFunction>();
let keptSource = 0;

/**
 * The generated function of `source`, one per distinct source: a program compiled again (each run's
 * objective, the same code) runs the function the engine has already optimized, not a cold one that
 * each run would interpret and optimize anew. The function only reads its arguments, so programs can share it.
 */
function functionOf(source: string): ProgramFunction {
  let fn = functionsBySource.get(source);
  if (fn !== undefined) return fn;
  fn = new Function(...PARAMETERS, source) as ProgramFunction;
  if (source.length > MAX_KEPT_SOURCE) return fn;
  for (const kept of functionsBySource.keys()) {
    if (keptSource + source.length <= MAX_KEPT_SOURCE) break;
    functionsBySource.delete(kept);
    keptSource -= kept.length;
  }
  functionsBySource.set(source, fn);
  keptSource += source.length;
  return fn;
}

/** The WebAssembly loops argument of a program in JS only. */
const NO_LOOPS: LoopFunction[] = [];

/** What both forms share: the function, sizes, squared norms. */
function partsOf(schedule: Schedule, code: GeneratedCode) {
  const fn = functionOf(code.source);
  const sizes = (buffers: readonly number[]) => buffers.map((buf) => schedule.buffers[buf].size);
  const inputSizes = sizes(schedule.inputBuffers);
  const outputSizes = sizes(schedule.outputBuffers);
  const squaredNorms = new Float64Array(schedule.squaredNormOf.length);
  // Squared norms of outputs no loop stores (copies, matMul results), summed after the run.
  const normsAfter = schedule.squaredNormOf.map((output, slot) => ({ output, slot })).filter(({ slot }) => !schedule.normsInLoops.has(slot));
  const common = { inputSizes, outputSizes, squaredNorms, loops: code.loops, wasmLoops: code.wasmLoops.length, jsLoops: code.jsLoops, source: code.source };
  return { fn, inputSizes, outputSizes, squaredNorms, normsAfter, common };
}

/*
 * run() and the resident run are the per-step path of tiny programs too (n = 2): they call only
 * module-level functions and closures over constants, which the engine inlines.
 */
export function checkSizes(arrays: readonly Float32Array[], expected: readonly number[], what: string): void {
  for (let k = 0; k < arrays.length; k++) {
    if (arrays[k].length !== expected[k]) throw new RangeError(`${what} ${k} has ${arrays[k].length} elements, the program was traced with ${expected[k]}`);
  }
}

export function sumSquaresAfter(normsAfter: readonly { output: number; slot: number }[], outputs: readonly Float32Array[], squaredNorms: Float64Array): void {
  for (const { output, slot } of normsAfter) {
    const values = outputs[output];
    let sum = 0;
    for (let i = 0; i < values.length; i++) sum += values[i] * values[i];
    squaredNorms[slot] = sum;
  }
}

/**
 * All loops in JS: inputs and outputs are the caller's arrays, the other buffers plain Float32Arrays.
 * A class, so every such program has one map: a call site that runs each run's new program (the
 * training loop's objective) stays monomorphic instead of deoptimizing on a new object shape.
 */
class JsProgram implements CompiledProgram {
  readonly inputSizes: readonly number[];
  readonly outputSizes: readonly number[];
  readonly squaredNorms: Float64Array;
  readonly loops: number;
  readonly wasmLoops: number;
  readonly jsLoops: number;
  readonly source: string;
  private readonly fn: ProgramFunction;
  private readonly normsAfter: readonly { output: number; slot: number }[];
  private readonly inputBuffers: readonly number[];
  private readonly outputBuffers: readonly number[];
  private readonly maps: readonly Int32Array[];
  private readonly buffers: Float32Array[];

  constructor(schedule: Schedule, code: GeneratedCode) {
    const { fn, inputSizes, outputSizes, squaredNorms, normsAfter, common } = partsOf(schedule, code);
    this.inputSizes = inputSizes;
    this.outputSizes = outputSizes;
    this.squaredNorms = squaredNorms;
    this.loops = common.loops;
    this.wasmLoops = common.wasmLoops;
    this.jsLoops = common.jsLoops;
    this.source = common.source;
    this.fn = fn;
    this.normsAfter = normsAfter;
    this.inputBuffers = schedule.inputBuffers;
    this.outputBuffers = schedule.outputBuffers;
    this.maps = schedule.maps;
    this.buffers = schedule.buffers.map((spec) => (spec.role === 'constant' || spec.role === 'temp' ? (spec.init ?? new Float32Array(spec.size)) : new Float32Array(0)));
  }

  run(inputs: readonly Float32Array[], outputs: readonly Float32Array[]): void {
    const { buffers, inputBuffers, outputBuffers, squaredNorms } = this;
    checkSizes(inputs, this.inputSizes, 'input');
    checkSizes(outputs, this.outputSizes, 'output');
    // No copies: the caller's arrays are the program's input and output buffers.
    for (let k = 0; k < inputs.length; k++) buffers[inputBuffers[k]] = inputs[k];
    for (let k = 0; k < outputs.length; k++) buffers[outputBuffers[k]] = outputs[k];
    this.fn(buffers, this.maps, STANDALONE, NO_LOOPS, squaredNorms);
    sumSquaresAfter(this.normsAfter, outputs, squaredNorms);
  }

  resident(pairs: readonly (readonly [number, number])[]): ResidentProgram {
    const { fn, maps, normsAfter, squaredNorms, inputBuffers, outputBuffers } = this;
    const own = [...this.buffers];
    inputBuffers.forEach((buf, k) => (own[buf] = new Float32Array(this.inputSizes[k])));
    outputBuffers.forEach((buf, k) => (own[buf] = new Float32Array(this.outputSizes[k])));
    return residentRun(own, inputBuffers, outputBuffers, pairs, undefined, (views, outputs) => {
      fn(views, maps, STANDALONE, NO_LOOPS, squaredNorms);
      sumSquaresAfter(normsAfter, outputs, squaredNorms);
    });
  }
}

/**
 * Every buffer and index map in the WebAssembly memory (JS loops and standalone kernels read it
 * through views): inputs are copied in and outputs out, once per run, unless the program runs
 * resident or as a guest of another program's memory (guestsIn). The memory may grow when a guest
 * claims room after the buffers (hostMemory.ts): every view here is then re-made in place.
 */
function inWasm(schedule: Schedule, code: GeneratedCode): CompiledProgram | undefined {
  const shared = sharedTemps(schedule);
  const plan = planOf(schedule, () => false, shared);
  if (plan.pages > MAX_PAGES) return undefined;
  let memory: WebAssembly.Memory;
  try {
    // Growable to 4 GiB: a guest may grow it (hostMemory.ts). Pages not yet touched cost no resident memory.
    memory = sharedMemory(plan.pages);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    return undefined;
  }
  const parts = partsOf(schedule, code);
  const program = new WasmProgram(schedule, code, parts, plan, memory);
  guestForms.set(program, { schedule, code, parts, sharedTemps: shared });
  return program;
}

/** A program over one WebAssembly memory; a class for the reason JsProgram is one. */
class WasmProgram implements CompiledProgram {
  readonly inputSizes: readonly number[];
  readonly outputSizes: readonly number[];
  readonly squaredNorms: Float64Array;
  readonly loops: number;
  readonly wasmLoops: number;
  readonly jsLoops: number;
  readonly source: string;
  private readonly fn: ProgramFunction;
  private readonly normsAfter: readonly { output: number; slot: number }[];
  private readonly inputBuffers: readonly number[];
  private readonly outputBuffers: readonly number[];
  /** Views of the memory (re-made in place when it grows). */
  private readonly buffers: Float32Array[] = [];
  private readonly maps: Int32Array[] = [];
  private readonly host: HostMemory;
  private readonly instances: LoopFunction[];

  constructor(
    private readonly schedule: Schedule,
    private readonly code: GeneratedCode,
    parts: ReturnType<typeof partsOf>,
    private readonly plan: MemoryPlan,
    memory: WebAssembly.Memory,
  ) {
    const { common } = parts;
    this.inputSizes = parts.inputSizes;
    this.outputSizes = parts.outputSizes;
    this.squaredNorms = parts.squaredNorms;
    this.loops = common.loops;
    this.wasmLoops = common.wasmLoops;
    this.jsLoops = common.jsLoops;
    this.source = common.source;
    this.fn = parts.fn;
    this.normsAfter = parts.normsAfter;
    this.inputBuffers = schedule.inputBuffers;
    this.outputBuffers = schedule.outputBuffers;
    this.host = new HostMemory(memory);
    const { buffers, maps } = this;
    const view = () => {
      schedule.buffers.forEach((spec, k) => (buffers[k] = new Float32Array(memory.buffer, plan.address(k), spec.size)));
      schedule.maps.forEach((map, k) => (maps[k] = new Int32Array(memory.buffer, plan.address(schedule.buffers.length + k), map.length)));
      // Convolutions' products on these buffers may then run as WebAssembly over the same memory.
      registerMemory(memory);
    };
    view();
    this.host.onGrow(view);
    schedule.buffers.forEach((spec, k) => spec.init && buffers[k].set(spec.init));
    schedule.maps.forEach((map, k) => maps[k].set(map));
    this.instances = instantiateLoops(code.wasmLoops, addressOf(plan, schedule, (buf) => buf), memory);
  }

  run(inputs: readonly Float32Array[], outputs: readonly Float32Array[]): void {
    const { buffers, inputBuffers, outputBuffers, squaredNorms } = this;
    checkSizes(inputs, this.inputSizes, 'input');
    checkSizes(outputs, this.outputSizes, 'output');
    for (let k = 0; k < inputs.length; k++) buffers[inputBuffers[k]].set(inputs[k]);
    this.fn(buffers, this.maps, STANDALONE, this.instances, squaredNorms);
    for (let k = 0; k < outputs.length; k++) outputs[k].set(buffers[outputBuffers[k]]);
    sumSquaresAfter(this.normsAfter, outputs, squaredNorms);
  }

  resident(pairs: readonly (readonly [number, number])[]): ResidentProgram {
    const { fn, maps, normsAfter, squaredNorms, inputBuffers, outputBuffers, instances, plan, schedule } = this;
    // The loops' addresses are compiled in: the swapped half of the double buffer gets its own instance.
    const swap = swapOf(pairs.map(([i, o]) => [inputBuffers[i], outputBuffers[o]]));
    const swappedLoops = instantiateLoops(this.code.wasmLoops, addressOf(plan, schedule, swap), this.host.memory);
    return residentRun(this.buffers, inputBuffers, outputBuffers, pairs, this.host, (views, outputs, swapped) => {
      fn(views, maps, STANDALONE, swapped ? swappedLoops : instances, squaredNorms);
      sumSquaresAfter(normsAfter, outputs, squaredNorms);
    });
  }
}

/** Byte offsets of every buffer (none for those `hosted` elsewhere) and then every index map. */
export function planOf(schedule: Schedule, hosted: (buf: number) => boolean, shared: SharedPlacement = sharedTemps(schedule)): MemoryPlan {
  // Temps whose lives in a run do not overlap share bytes (bufferLifetimes.ts); hosted buffers are never temps.
  const plan = new MemoryPlan(shared.bytes);
  schedule.buffers.forEach((spec, k) => {
    const at = shared.offsets.get(k);
    if (at !== undefined) plan.reserveShared(spec.size, at);
    else plan.reserve(hosted(k) ? 0 : spec.size);
  });
  schedule.maps.forEach((map) => plan.reserve(map.length));
  return plan;
}

/** The loops' layout: buffer `buf` (renamed) at its planned address; in the IR, map k is buffer −(k + 1), planned right after the buffers. */
export function addressOf(plan: MemoryPlan, schedule: Schedule, rename: (buf: number) => number, base = 0, hosted?: ReadonlyMap<number, number>) {
  const mapBase = schedule.buffers.length - 1;
  return (buf: number) => (buf >= 0 ? (hosted?.get(buf) ?? base + plan.address(rename(buf))) : base + plan.address(mapBase - buf));
}

/** The buffer renaming that exchanges each pair's two buffers. */
function swapOf(pairs: readonly (readonly [number, number])[]): (buf: number) => number {
  const to = new Map<number, number>();
  for (const [one, other] of pairs) to.set(one, other).set(other, one);
  return (buf) => to.get(buf) ?? buf;
}

/**
 * A ResidentProgram over `buffers`: every other run sees each pair's buffers exchanged. Both
 * sides' arrays are made once, so a run allocates nothing; when the host memory grows they are
 * re-made in place (from `buffers`, which the host's first refresher re-made), so a caller that
 * reads `inputs[k]` again sees live views.
 */
function residentRun(
  buffers: readonly Float32Array[],
  inputBuffers: readonly number[],
  outputBuffers: readonly number[],
  pairs: readonly (readonly [number, number])[],
  host: HostMemory | undefined,
  body: (views: Float32Array[], outputs: readonly Float32Array[], swapped: boolean) => void,
): ResidentProgram {
  const swap = swapOf(pairs.map(([i, o]) => [inputBuffers[i], outputBuffers[o]]));
  const sides = [0, 1].map(() => ({ views: [] as Float32Array[], inputs: [] as Float32Array[], outputs: [] as Float32Array[] }));
  const view = () => sides.forEach((side, s) => {
    buffers.forEach((_, buf) => (side.views[buf] = buffers[s === 0 ? buf : swap(buf)]));
    inputBuffers.forEach((buf, k) => (side.inputs[k] = side.views[buf]));
    outputBuffers.forEach((buf, k) => (side.outputs[k] = side.views[buf]));
  });
  view();
  host?.onGrow(view);
  let swapped = false;
  const state = {
    inputs: sides[0].inputs,
    outputs: sides[0].outputs,
    run() {
      const side = sides[swapped ? 1 : 0];
      body(side.views, side.outputs, swapped);
      swapped = !swapped;
      state.inputs = sides[swapped ? 1 : 0].inputs;
      state.outputs = sides[swapped ? 1 : 0].outputs;
    },
  };
  return state;
}
