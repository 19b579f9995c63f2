/**
 * Elementwise optimizers' updates as WebAssembly (SIMD) for large parameter
 * vectors. The optimizer's state slots live in the kernel's memory (the state
 * still holds Float32Arrays: views of it); params and grad are copied in and
 * paramsOut out on every update. The JS loop stays the reference and runs
 * small vectors, where the copies and the call cost more than they save.
 */
import { renameBuffers, type LoopIR } from '../wasm/loopIR';
import { MAX_PAGES, MemoryPlan, instantiateLoops, wasmSimdSupported, type LoopFunction } from '../wasm/loopModule';
import type { ArrayOptimizer, ArrayStepInput, ArrayStepResult, WasmMode } from './contracts';
import { GRAD, PARAMS, PARAMS_OUT, SLOT0 } from './updateLoop';

/** From this many parameters 'auto' runs the update as WebAssembly (measured: bench/wasmUpdates.ts). */
export const WASM_UPDATE_MIN_SIZE = 256;

/** One optimizer state's memory and its update loops. */
export class UpdateKernel {
  /** The state slots, in the order the rule's slotLengths gave. */
  readonly slots: Float32Array[];
  private readonly params: Float32Array;
  private readonly grad: Float32Array;
  private readonly paramsOut: Float32Array;
  private readonly loops: LoopFunction[];
  /** The same loops reading PARAMS_OUT and writing PARAMS (a double-buffered loop's every other step). */
  private readonly swapped: LoopFunction[];

  constructor(plan: MemoryPlan, loops: readonly LoopIR[]) {
    const { memory, f32 } = plan.allocate();
    [this.params, this.grad, this.paramsOut] = [f32[PARAMS], f32[GRAD], f32[PARAMS_OUT]];
    this.slots = f32.slice(SLOT0);
    const swap = (buf: number) => (buf === PARAMS ? PARAMS_OUT : buf === PARAMS_OUT ? PARAMS : buf);
    const functions = instantiateLoops([...loops, ...loops.map((ir) => renameBuffers(ir, swap))], (buf) => plan.address(buf), memory);
    this.loops = functions.slice(0, loops.length);
    this.swapped = functions.slice(loops.length);
  }

  /** The kernel's own arrays (ArrayOptimizer.workspace): updates on them copy nothing. */
  get workspace(): { params: [Float32Array, Float32Array]; grad: Float32Array } {
    return { params: [this.params, this.paramsOut], grad: this.grad };
  }

  /** Runs loop `loop` with its scalars on the input's params and grad; writes paramsOut (copying only arrays that are not the kernel's own). */
  run(loop: number, { params, grad, paramsOut }: ArrayStepInput, scalars: readonly number[]): ArrayStepResult {
    if (grad !== this.grad) this.grad.set(grad);
    if (params === this.paramsOut && paramsOut === this.params) return { updateNormSq: this.swapped[loop](...scalars) as number, extraEvals: 0 };
    if (params !== this.params) this.params.set(params);
    const updateNormSq = this.loops[loop](...scalars) as number;
    if (paramsOut !== this.paramsOut) paramsOut.set(this.paramsOut);
    return { updateNormSq, extraEvals: 0 };
  }
}

/** An elementwise update rule with a JS loop and the same loop as IR. */
export interface ElementwiseRule<S> {
  /** Lengths of the state's float32 slots for n parameters; slot k is buffer SLOT0 + k in the loops. */
  slotLengths(n: number): number[];
  /** The state around its slots (zeroed; the rule fills them if they start otherwise). */
  init(slots: Float32Array[]): S;
  /** The update's loops over n parameters (kernel.run picks one by index). */
  loops(n: number): LoopIR[];
  /** One update: the JS loop, or the kernel's when there is one. */
  update(input: ArrayStepInput, state: S, kernel: UpdateKernel | undefined): ArrayStepResult;
}

/** The memory plan for n parameters, or undefined when this state should stay in JS. */
function planFor(mode: WasmMode, n: number, slotLengths: readonly number[]): MemoryPlan | undefined {
  if (mode === 'never' || (mode === 'auto' && (n < WASM_UPDATE_MIN_SIZE || !wasmSimdSupported()))) return undefined;
  if (!wasmSimdSupported()) throw new Error('this engine has no WebAssembly SIMD');
  const plan = new MemoryPlan();
  for (const length of [n, n, n, ...slotLengths]) plan.reserve(length);
  if (plan.pages <= MAX_PAGES) return plan;
  if (mode === 'always') throw new Error(`${n} parameters do not fit in one WebAssembly memory`);
  return undefined;
}

/**
 * An ArrayOptimizer running `rule`: each state gets a WebAssembly kernel when
 * `mode` says so for its size. `remake` builds the same optimizer in another mode (withWasm).
 */
export function elementwiseArrays<S extends object>(
  mode: WasmMode,
  rule: ElementwiseRule<S>,
  remake: (mode: WasmMode) => ArrayOptimizer<S>,
): ArrayOptimizer<S> {
  const kernels = new WeakMap<S, UpdateKernel>();
  return {
    init(params) {
      const lengths = rule.slotLengths(params.length);
      const plan = planFor(mode, params.length, lengths);
      if (!plan) return rule.init(lengths.map((length) => new Float32Array(length)));
      const kernel = new UpdateKernel(plan, rule.loops(params.length));
      const state = rule.init(kernel.slots);
      kernels.set(state, kernel);
      return state;
    },
    update: (input, state) => rule.update(input, state, kernels.get(state)),
    withWasm: remake,
    workspace: (state) => kernels.get(state)?.workspace,
  };
}
