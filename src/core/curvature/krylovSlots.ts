/**
 * Storage and loops for lanczos (./lanczos.ts): numbered slots of n float32 values in
 * one buffer (the Lanczos vectors, in order, then working vectors), so a
 * Gram-Schmidt pass runs over a range of slots. Each slot is padded with zeros
 * to a multiple of 4 values, the width of one SIMD load, so loops need no tail.
 * The loops are described once (./krylovLoops.ts) and compiled to WebAssembly
 * SIMD where the engine has it and the slots fit in one memory, else to plain
 * JS: sums are taken in float64 (the two forms add in different orders, the
 * one difference between them), and an update r −= Σ cⱼ·vⱼ is rounded to
 * float32 once per element and group of four slots.
 */
import { compileLoopJs, type JsLoopFunction } from '../compiled/loopJs';
import { encodeModule } from '../wasm/binary';
import { emitLoop } from '../wasm/emitLoop';
import { MAX_PAGES, sharedMemory, wasmSimdSupported } from '../wasm/loopModule';
import { GROUP, krylovLoops, type KrylovLoopName } from './krylovLoops';

export type KrylovForm = 'wasm' | 'js';
type Loops = Record<KrylovLoopName, JsLoopFunction>;

const PAGE = 65536;
const strideOf = (n: number) => Math.ceil(n / 4) * 4;
const pagesOf = (n: number, slots: number) => Math.max(1, Math.ceil((slots * strideOf(n) * 4) / PAGE));

/** Slots with WebAssembly SIMD loops where the engine runs them and the slots fit in one memory, else with JS loops. */
export function krylovSlots(n: number, slots: number, form: KrylovForm = wasmSimdSupported() && pagesOf(n, slots) <= MAX_PAGES ? 'wasm' : 'js'): KrylovSlots {
  return new KrylovSlots(n, slots, form);
}

export class KrylovSlots {
  /** Values per slot: n rounded up to a multiple of 4. */
  readonly stride: number;
  /** Every slot, back to back. */
  private readonly data: Float32Array;
  private readonly loops: Loops;
  private readonly single = new Float64Array(1);

  constructor(readonly n: number, slots: number, readonly form: KrylovForm) {
    this.stride = strideOf(n);
    if (form === 'wasm') {
      const memory = sharedMemory(pagesOf(n, slots));
      this.data = new Float32Array(memory.buffer, 0, slots * this.stride);
      this.loops = new WebAssembly.Instance(wasmModule(this.stride), { env: { memory } }).exports as unknown as Loops;
    } else {
      this.data = new Float32Array(slots * this.stride);
      const buffers = Object.fromEntries(Array.from({ length: GROUP + 1 }, (_, id) => [id, this.data]));
      const factories = jsFactories(this.stride);
      this.loops = Object.fromEntries(Object.entries(factories).map(([name, factory]) => [name, factory(buffers)])) as Loops;
    }
  }

  /** Slot s's n values; writes go to the slot. */
  view(slot: number): Float32Array {
    return this.data.subarray(slot * this.stride, slot * this.stride + this.n);
  }

  /** out[j] = slot(first + j)·slot(r), for j < out.length. */
  dots(first: number, r: number, out: Float64Array): void {
    const at = (slot: number) => slot * this.stride;
    let j = 0;
    for (; j + GROUP <= out.length; j += GROUP) {
      out.set(this.loops.dotsGroup(at(r), at(first + j), at(first + j + 1), at(first + j + 2), at(first + j + 3)) as number[], j);
    }
    for (; j < out.length; j++) out[j] = this.loops.dots1(at(r), at(first + j)) as number;
  }

  /** slot(r) −= Σⱼ coefficients[j]·slot(first + j), in place. */
  subtract(first: number, coefficients: ArrayLike<number>, r: number): void {
    const at = (slot: number) => slot * this.stride;
    const c = coefficients;
    let j = 0;
    for (; j + GROUP <= c.length; j += GROUP) {
      this.loops.subtractGroup(c[j], c[j + 1], c[j + 2], c[j + 3], at(r), at(first + j), at(first + j + 1), at(first + j + 2), at(first + j + 3));
    }
    for (; j < c.length; j++) this.loops.subtract1(c[j], at(r), at(first + j));
  }

  dot(a: number, b: number): number {
    this.dots(a, b, this.single);
    return this.single[0];
  }

  /** slot(s) *= factor (padding stays zero). */
  scale(slot: number, factor: number): void {
    this.loops.scale(factor, slot * this.stride);
  }
}

/** Compiled loops by stride: a run's curvature samples repeat n. A few strides at most, so the oldest is dropped past that. */
const CACHED_STRIDES = 4;
const modules = new Map<number, WebAssembly.Module>();
const factories = new Map<number, Record<KrylovLoopName, ReturnType<typeof compileLoopJs>>>();

function cached<T>(cache: Map<number, T>, stride: number, make: () => T): T {
  let value = cache.get(stride);
  if (value === undefined) {
    value = make();
    if (cache.size >= CACHED_STRIDES) cache.delete(cache.keys().next().value as number);
    cache.set(stride, value);
  }
  return value;
}

/** Every loop as one module over an imported memory holding the slots from address 0. */
function wasmModule(stride: number): WebAssembly.Module {
  return cached(modules, stride, () => {
    const functions = Object.entries(krylovLoops(stride)).map(([name, ir]) => ({ name, code: emitLoop(ir, () => 0) }));
    return new WebAssembly.Module(encodeModule(functions, 1));
  });
}

function jsFactories(stride: number): Record<KrylovLoopName, ReturnType<typeof compileLoopJs>> {
  return cached(factories, stride, () => {
    const loops = krylovLoops(stride);
    return Object.fromEntries(Object.entries(loops).map(([name, ir]) => [name, compileLoopJs(ir)])) as Record<KrylovLoopName, ReturnType<typeof compileLoopJs>>;
  });
}
