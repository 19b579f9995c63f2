/**
 * Compiled programs run as guests of another program's WebAssembly memory (hostMemory.ts): some of
 * their inputs and outputs are the host's arrays, read and written in place, the rest the guest's
 * own buffers placed after the host's. The training loop uses it so the objective reads the
 * parameters where the optimizer's rule wrote them and writes its gradient where the rule reads it
 * (no full-length copy per step). Each placement (the parameters in one half of the rule's double
 * buffer or the other) gets its own instance of the loops that touch a hosted buffer, whose
 * addresses are compiled in; the other loops are instantiated once, for all placements.
 */
import { instantiateLoops, type InstantiatedLoops, type LoopFunction, type MemoryPlan } from '../wasm/loopModule';
import type { CompiledProgram } from './compileProgram';
import { hostOf, isBufferOf, isViewAt, type HostMemory } from './hostMemory';
import { addressOf, checkSizes, guestForms, planOf, sumSquaresAfter, type GuestForm } from './instantiateProgram';
import { STANDALONE } from './standaloneKernels';

const PAGE = 65536;

/** Which of a run's inputs and outputs are host arrays (the others, undefined, are the guest's own). */
export interface Placement {
  readonly inputs: readonly (Float32Array | undefined)[];
  readonly outputs: readonly (Float32Array | undefined)[];
}

export interface GuestProgram {
  /**
   * Runs the program when every input and output a placement names is that host array (same memory,
   * address and length: a view re-made after a growth still matches); the others are copied in and
   * out. False, having done nothing, when none matches or a newer guest took the region.
   */
  run(inputs: readonly Float32Array[], outputs: readonly Float32Array[]): boolean;
}

interface Request {
  readonly program: CompiledProgram;
  readonly placements: readonly Placement[];
}

/** One placement's host addresses by buffer, for a program's inputs and outputs. */
function hostedBuffers(form: GuestForm, placement: Placement, memory: WebAssembly.Memory): Map<number, { address: number; length: number }> | undefined {
  const { inputBuffers, outputBuffers, buffers } = form.schedule;
  const hosted = new Map<number, { address: number; length: number }>();
  const sides = [[placement.inputs, inputBuffers], [placement.outputs, outputBuffers]] as const;
  for (const [arrays, bufs] of sides) {
    for (let k = 0; k < arrays.length; k++) {
      const a = arrays[k];
      if (!a) continue;
      const buf = bufs[k];
      if (!isBufferOf(a.buffer, memory) || a.length !== buffers[buf].size || a.byteOffset % 16 !== 0 || hosted.has(buf)) return undefined;
      hosted.set(buf, { address: a.byteOffset, length: a.length });
    }
  }
  return hosted;
}

/**
 * The requests' programs as guests of the memory their placements' arrays are views of, all in one
 * region claimed for them (retiring any earlier guest there). An entry is undefined for a program in
 * JS (it runs on its caller's arrays already); the whole answer is undefined when the arrays are not
 * one host's, placements disagree on which buffers are hosted, or the memory cannot grow.
 */
export function guestsIn(requests: readonly Request[]): (GuestProgram | undefined)[] | undefined {
  const first = requests.flatMap((r) => r.placements.flatMap((p) => [...p.inputs, ...p.outputs])).find((a) => a !== undefined);
  const host = first && hostOf(first);
  if (!host) return undefined;
  const memory = host.memory;
  const laid: ({ form: GuestForm; plan: MemoryPlan; hosted: Map<number, { address: number; length: number }>[]; offset: number } | undefined)[] = [];
  let bytes = 0;
  for (const { program, placements } of requests) {
    const form = guestForms.get(program);
    if (!form) {
      laid.push(undefined);
      continue;
    }
    const hosted = placements.map((p) => hostedBuffers(form, p, memory));
    const same = (h: Map<number, unknown> | undefined) => h !== undefined && h.size === hosted[0]?.size && [...h.keys()].every((buf) => hosted[0]?.has(buf));
    if (hosted.length === 0 || !hosted.every(same)) return undefined;
    const plan = planOf(form.schedule, (buf) => hosted[0]?.has(buf) === true, form.sharedTemps);
    laid.push({ form, plan, hosted: hosted as Map<number, { address: number; length: number }>[], offset: bytes });
    bytes += plan.pages * PAGE;
  }
  const owner = {};
  // Addresses were read above: claiming may grow the memory, which detaches the arrays given.
  const region = host.claim(owner, bytes);
  if (region === undefined) return undefined;
  return laid.map((l) => l && placeGuest(host, owner, l.form, l.plan, region.base + l.offset, l.hosted, region.zeroed));
}

/** One program placed at `base` (all zeros when `zeroed`): its own buffers there (constants and maps written), one loop instance per placement. */
function placeGuest(host: HostMemory, owner: object, form: GuestForm, plan: MemoryPlan, base: number, hosted: readonly Map<number, { address: number; length: number }>[], zeroed: boolean): GuestProgram {
  const { schedule, code, parts } = form;
  const { fn, inputSizes, outputSizes, squaredNorms, normsAfter } = parts;
  const { inputBuffers, outputBuffers } = schedule;
  const memory = host.memory;
  const own = schedule.buffers.map((spec, k) => (hosted[0].has(k) ? undefined : new Float32Array(memory.buffer, base + plan.address(k), spec.size)));
  // The region may hold an earlier guest's values: constants written, temps cleared as a fresh memory's are.
  schedule.buffers.forEach((spec, k) => {
    if (spec.init) own[k]?.set(spec.init);
    else if (!zeroed) own[k]?.fill(0);
  });
  const maps = schedule.maps.map((map, k) => {
    const view = new Int32Array(memory.buffer, base + plan.address(schedule.buffers.length + k), map.length);
    view.set(map);
    return view;
  });
  let first: InstantiatedLoops | undefined;
  const variants = hosted.map((at) => {
    const addresses = new Map([...at].map(([buf, { address }]) => [buf, address]));
    const views = schedule.buffers.map((spec, k) => {
      const h = at.get(k);
      return h ? new Float32Array(memory.buffer, h.address, h.length) : (own[k] as Float32Array);
    });
    // Loops that touch no hosted buffer have the same addresses in every placement: the first placement's instance serves all.
    const layout = addressOf(plan, schedule, (buf) => buf, base, addresses);
    const loops: LoopFunction[] = instantiateLoops(code.wasmLoops, layout, memory, first);
    first ??= { layout, functions: loops };
    return { at, views, loops };
  });
  const matches = (arrays: readonly Float32Array[], bufs: readonly number[], at: Map<number, { address: number; length: number }>) =>
    bufs.every((buf, k) => {
      const h = at.get(buf);
      return !h || isViewAt(arrays[k], memory, h.address, h.length);
    });
  return {
    run(inputs, outputs) {
      if (!host.holds(owner)) return false;
      const variant = variants.find(({ at }) => matches(inputs, inputBuffers, at) && matches(outputs, outputBuffers, at));
      if (!variant) return false;
      checkSizes(inputs, inputSizes, 'input');
      checkSizes(outputs, outputSizes, 'output');
      const { at, views, loops } = variant;
      for (let k = 0; k < inputs.length; k++) if (!at.has(inputBuffers[k])) views[inputBuffers[k]].set(inputs[k]);
      fn(views, maps, STANDALONE, loops, squaredNorms);
      for (let k = 0; k < outputs.length; k++) if (!at.has(outputBuffers[k])) outputs[k].set(views[outputBuffers[k]]);
      sumSquaresAfter(normsAfter, outputs, squaredNorms);
      return true;
    },
  };
}
