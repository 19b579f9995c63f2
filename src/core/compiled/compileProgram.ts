/**
 * Compiles a traced Program (traceProgram.ts) into one plain-JS function whose
 * long fused loops run as WebAssembly SIMD. The stages, in the order a
 * program goes through them (README.md explains each):
 *
 *   factorSums        factors constant along a sum's axes taken out of it, the rest summed once
 *   valueGraph        which values are needed, which are aliases of others
 *   fuseLoops         fusion: elementwise kernels and reductions into loops, views as index maps
 *   generateCode      the JS source and the loops' IR for WebAssembly
 *   instantiateProgram  buffers allocated once, WebAssembly instantiated, run()
 */
import { factorSums } from './factorSums';
import { fuseLoops } from './fuseLoops';
import { generateCode } from './generateCode';
import { instantiateProgram } from './instantiateProgram';
import type { Program } from './program';
import type { Schedule } from './schedule';
import { valueGraph } from './valueGraph';
import { wasmSimdSupported } from '../wasm/loopModule';

export interface CompileOptions {
  /** Run loops that have an IR form as WebAssembly SIMD (default: when the engine supports it). */
  readonly wasm?: boolean;
  /** Outputs whose squared norm each run also computes (in the loop that stores them, when one does). */
  readonly squaredNormOf?: readonly number[];
}

export interface CompiledProgram {
  /** Runs the program on inputs (sizes as traced) and writes each output into `outputs`. */
  run(inputs: readonly Float32Array[], outputs: readonly Float32Array[]): void;
  readonly inputSizes: readonly number[];
  readonly outputSizes: readonly number[];
  /** After run: Σ out² (float64) of each output named in CompileOptions.squaredNormOf, in that order. */
  readonly squaredNorms: Float64Array;
  /** Loops and standalone calls in the generated code (for tests and reports). */
  readonly loops: number;
  /** How many of the loops run as WebAssembly. */
  readonly wasmLoops: number;
  /** Fused loops of WASM_MIN_SIZE elements or more that stay in JS (a kernel without an IR form). */
  readonly jsLoops: number;
  readonly source: string;
  /**
   * The same program run on arrays it owns (views of its WebAssembly memory when it has one), so a
   * caller that keeps its state there copies nothing. `pairs` lists [input, output] whose arrays
   * trade places on every other run (a double buffer: output k of one run is input k of the next).
   */
  resident(pairs: readonly (readonly [input: number, output: number])[]): ResidentProgram;
}

export interface ResidentProgram {
  /** The arrays the next run reads and writes (they trade places after each run for the resident pairs). */
  readonly inputs: readonly Float32Array[];
  readonly outputs: readonly Float32Array[];
  run(): void;
}

/** The stages before code generation: a program's loops, calls and buffers. */
export function scheduleOf(program: Program, squaredNormOf: readonly number[] = []): Schedule {
  return fuseLoops(valueGraph(factorSums(program)), squaredNormOf);
}

export function compileProgram(program: Program, options: CompileOptions = {}): CompiledProgram {
  const schedule = scheduleOf(program, options.squaredNormOf);
  const wasm = options.wasm ?? wasmSimdSupported();
  // Beyond one 32-bit memory (4 GiB), or when the engine cannot reserve it: the same program in JS.
  return instantiateProgram(schedule, generateCode(schedule, wasm)) ?? (instantiateProgram(schedule, generateCode(schedule, false)) as CompiledProgram);
}
