/**
 * Runs LoopIRs as WebAssembly (emitLoop through instantiateLoops): the loops'
 * buffers laid out in one memory and compiled into one module, as
 * compileProgram does, so Math imports are shared between functions.
 */
import type { LoopIR } from '../../../src/core/wasm/loopIR';
import { MemoryPlan, instantiateLoops } from '../../../src/core/wasm/loopModule';

export interface LoopRun {
  readonly ir: LoopIR;
  /** Every buffer the loop reads or writes, by IR id, with its contents before the loop. */
  readonly buffers: ReadonlyMap<number, Float32Array | Int32Array>;
  readonly scalars: readonly number[];
}

export interface WasmResult {
  /** Every buffer after the loop (copies). */
  readonly buffers: Map<number, Float32Array | Int32Array>;
  readonly returned: number | undefined;
}

/** Buffer ids are shifted by this much per loop, so every loop has its own buffers in the shared memory. */
const STRIDE = 1000;

/** The same loop with every buffer id (and map id) increased by `by` (a copy that keeps NaN, ±Infinity and −0, unlike JSON). */
function shiftBuffers(ir: LoopIR, by: number): LoopIR {
  const copy = (value: unknown, key = ''): unknown => {
    if (Array.isArray(value)) return value.map((v) => copy(v));
    if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copy(v, k)]));
    return (key === 'buf' || key === 'map') && typeof value === 'number' ? value + by : value;
  };
  return copy(ir) as LoopIR;
}

/** Compiles every loop into one module over one memory and runs each once; buffer ids must be in [0, 1000). */
export function runLoopsInWasm(runs: readonly LoopRun[]): WasmResult[] {
  const plan = new MemoryPlan();
  const slots = runs.map((r) => new Map([...r.buffers].map(([id, b]) => [id, plan.reserve(b.length)])));
  const { memory, f32, i32 } = plan.allocate();
  const view = (k: number, id: number) => (runs[k].buffers.get(id) instanceof Int32Array ? i32 : f32)[slots[k].get(id) as number];
  runs.forEach((r, k) => r.buffers.forEach((b, id) => view(k, id).set(b)));
  const layout = (id: number) => plan.address(slots[Math.floor(id / STRIDE)].get(id % STRIDE) as number);
  const loops = instantiateLoops(runs.map((r, k) => shiftBuffers(r.ir, STRIDE * k)), layout, memory);
  return runs.map((r, k) => {
    const returned = loops[k](...r.scalars);
    return { buffers: new Map([...r.buffers.keys()].map((id) => [id, view(k, id).slice()])), returned: returned ?? undefined };
  });
}
