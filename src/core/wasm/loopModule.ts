/**
 * Loops compiled to one WebAssembly module over one memory, and the memory's
 * layout: buffers are laid out once (16-byte aligned, so a call allocates
 * nothing). The compiled programs' memories can grow (a guest program placed
 * after the host's buffers, ../compiled/hostMemory.ts), and their owner re-makes
 * the views when they do; `allocate` makes a fixed-size memory (tests, small loops).
 */
import { encodeModule, SHARED_MAXIMUM_PAGES } from './binary';
import { emitLoop, type Layout } from './emitLoop';
import { MathImports } from './emitMathCall';
import { MATH_ARITY, renameBuffers, type LoopIR } from './loopIR';
import { describedModule } from './moduleCache';

const PAGE = 65536;
/** A 32-bit memory's limit in 64 KiB pages: 4 GiB. */
export const MAX_PAGES = 65536;

/** Bytes a buffer of `length` float32 elements takes in a plan: 16-aligned, and 16 spare so a vector load at the last element stays inside the memory. */
export const reservedBytes = (length: number): number => Math.ceil((4 * Math.max(length, 1)) / 16) * 16 + 16;

/**
 * Byte offsets for buffers in one memory, decided before the memory exists. The first `sharedBytes`
 * are a region whose bytes several buffers may share (reserveShared: the caller has shown their uses
 * never overlap in time); every other buffer gets bytes of its own after it.
 */
export class MemoryPlan {
  private readonly offsets: number[] = [];
  private readonly lengths: number[] = [];
  private end: number;

  constructor(private readonly sharedBytes = 0) {
    this.end = sharedBytes;
  }

  /** Reserves `length` 4-byte elements; returns the buffer's index in this plan. */
  reserve(length: number): number {
    this.offsets.push(this.end);
    this.lengths.push(length);
    this.end += reservedBytes(length);
    return this.offsets.length - 1;
  }
  /** Places `length` elements at byte `at` of the shared region (16-aligned); returns the buffer's index. */
  reserveShared(length: number, at: number): number {
    if (at % 16 !== 0 || at + reservedBytes(length) > this.sharedBytes) throw new RangeError(`${length} elements at byte ${at} are outside the ${this.sharedBytes} shared bytes`);
    this.offsets.push(at);
    this.lengths.push(length);
    return this.offsets.length - 1;
  }
  address(buf: number): number {
    return this.offsets[buf];
  }
  get pages(): number {
    return Math.max(1, Math.ceil(this.end / PAGE));
  }
  /** The memory and a Float32Array and Int32Array view per buffer; a RangeError past 4 GiB or when the engine refuses it. */
  allocate(): { memory: WebAssembly.Memory; f32: Float32Array[]; i32: Int32Array[] } {
    if (this.pages > MAX_PAGES) throw new RangeError(`${this.pages} pages of 64 KiB do not fit in one WebAssembly memory`);
    const memory = sharedMemory(this.pages, this.pages);
    return {
      memory,
      f32: this.offsets.map((at, k) => new Float32Array(memory.buffer, at, this.lengths[k])),
      i32: this.offsets.map((at, k) => new Int32Array(memory.buffer, at, this.lengths[k])),
    };
  }
}

/**
 * A shared WebAssembly memory of `initial` pages, growable to `maximum`: the modules import shared memories
 * (binary.ts) so that worker threads can run products over a program's memory. A RangeError when refused.
 */
export function sharedMemory(initial: number, maximum: number = SHARED_MAXIMUM_PAGES): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial, maximum, shared: true });
}

export type LoopFunction = (...scalars: number[]) => number | undefined;

/** Loops instantiated before over one memory, and the layout they were emitted for. */
export interface InstantiatedLoops {
  readonly layout: Layout;
  readonly functions: readonly LoopFunction[];
}

/**
 * Compiles `loops` (buffer ids placed by `layout`) and instantiates them over `memory` (synchronously).
 * With `like` (the same loops instantiated over the same memory for another layout), a loop whose every
 * buffer has the same address in both layouts would compile to the same bytes: its function there is reused.
 */
export function instantiateLoops(loops: readonly LoopIR[], layout: Layout, memory: WebAssembly.Memory, like?: InstantiatedLoops): LoopFunction[] {
  const functions: LoopFunction[] = [];
  const fresh: { ir: LoopIR; addresses: number[]; k: number }[] = [];
  loops.forEach((ir, k) => {
    const buffers = buffersOf(ir);
    if (like && buffers.every((buf) => layout(buf) === like.layout(buf))) functions[k] = like.functions[k];
    else fresh.push({ ir, addresses: buffers.flatMap((buf) => [buf, layout(buf)]), k });
  });
  if (fresh.length === 0) return functions;
  const pages = memory.buffer.byteLength / PAGE;
  // The bytes are a function of the loops, their buffers' addresses and the pages: a program compiled again (the next run's objective) finds its module without emitting it.
  const key = `${pages}|${fresh.map((f) => f.addresses.join(',')).join(';')}|${JSON.stringify(fresh.map((f) => f.ir), exactNumbers)}`;
  const module = describedModule(key, () => loopsBytes(fresh.map((f) => f.ir), layout, pages));
  // Math itself: V8 calls an imported Math function's C implementation directly, the one JS uses.
  const instance = new WebAssembly.Instance(module, { env: { memory }, Math: Math as unknown as WebAssembly.ModuleImports });
  fresh.forEach(({ k }, f) => (functions[k] = instance.exports[`l${f}`] as LoopFunction));
  return functions;
}

/** The module bytes of `loops` at `layout`'s addresses, importing a memory of `pages` or more. */
function loopsBytes(loops: readonly LoopIR[], layout: Layout, pages: number): Uint8Array<ArrayBuffer> {
  const imports = new MathImports();
  const functions = loops.map((ir, k) => ({ name: `l${k}`, code: emitLoop(ir, layout, imports) }));
  return encodeModule(functions, pages, imports.used.map((name) => ({ module: 'Math', name, params: MATH_ARITY[name] })));
}

/** Each loop's buffers, found once: a guest's loops are instantiated once per placement. */
const loopBuffers = new WeakMap<LoopIR, number[]>();

/** Every buffer id a loop reads, stores or accumulates into, index maps included (renameBuffers visits each). */
function buffersOf(ir: LoopIR): number[] {
  let buffers = loopBuffers.get(ir);
  if (buffers === undefined) {
    const ids = new Set<number>();
    renameBuffers(ir, (buf) => (ids.add(buf), buf));
    buffers = [...ids];
    loopBuffers.set(ir, buffers);
  }
  return buffers;
}

/** JSON keeps every number's bits but these (-0 would be 0, the others null); the IR has no such strings. */
function exactNumbers(_: string, value: unknown): unknown {
  return typeof value === 'number' && (Object.is(value, -0) || !Number.isFinite(value)) ? `#${Object.is(value, -0) ? '-0' : value}` : value;
}

let simdSupport: boolean | undefined;
/** Whether this engine runs 128-bit SIMD (Node ≥ 16, Electron, Chromium do). */
export function wasmSimdSupported(): boolean {
  if (simdSupport === undefined) {
    // (func (result v128) (v128.const i32x4 0 0 0 0))
    const probe = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12, ...new Array<number>(16).fill(0), 11]);
    simdSupport = typeof WebAssembly === 'object' && WebAssembly.validate(probe);
  }
  return simdSupport;
}
