/**
 * The runs im2col copies and col2im adds (convKernels.ts: one filter row of fw·inC consecutive
 * inputs per patch row), done in bulk when the patches and the image are views of one compiled
 * program's WebAssembly memory (gemmKernels.registerMemory): a copy is one memmove
 * (Float32Array.copyWithin on the whole memory), an add a WebAssembly SIMD loop of float32x4 adds
 * (the same roundings as the JS `dx[i] += p[i]`: one float32 rounding of an exact sum). Short runs
 * (a single-channel image's 3 numbers) stay in the JS loops: a call costs more than they do.
 */
import { Code, encodeModule, Op, Simd } from '../wasm/binary';
import { wasmSimdSupported } from '../wasm/loopModule';
import { memoryOf } from './gemmKernels';

/** Runs shorter than this many numbers are not worth a call. */
export const BULK_RUN_MIN = 16;

type AddRun = (dst: number, src: number, bytes: number) => void;

const heaps = new WeakMap<ArrayBuffer, Float32Array>();
const adders = new WeakMap<WebAssembly.Memory, AddRun>();
let addModule: WebAssembly.Module | undefined;

/** The whole memory as float32s, when a and b are views of one registered program memory. */
export function sharedHeap(a: Float32Array, b: Float32Array): Float32Array | undefined {
  if (a.buffer !== b.buffer || !memoryOf(a)) return undefined;
  const buffer = a.buffer as ArrayBuffer;
  let heap = heaps.get(buffer);
  if (!heap) heaps.set(buffer, (heap = new Float32Array(buffer)));
  return heap;
}

/** addRun(dst, src, bytes): dst[0 .. bytes) += src[0 .. bytes) as float32s, 16 bytes at a time, then 4. */
function emitAddRun(): Code {
  const c = new Code(['i32', 'i32', 'i32'], []);
  const [dst, src, bytes] = [0, 1, 2];
  const BLOCK_EMPTY = 0x40;
  for (const width of [16, 4]) {
    c.op(Op.block, BLOCK_EMPTY, Op.loop, BLOCK_EMPTY);
    c.get(bytes).i32(width).op(Op.i32LtS).op(Op.brIf, 1);
    c.get(dst);
    if (width === 16) c.get(dst).simdMemory(Simd.load, 0).get(src).simdMemory(Simd.load, 0).simd(Simd.f32x4Add).simdMemory(Simd.store, 0);
    else c.get(dst).memory(Op.f32Load, 2, 0).get(src).memory(Op.f32Load, 2, 0).op(Op.f32Add).memory(Op.f32Store, 2, 0);
    c.get(dst).i32(width).op(Op.i32Add).set(dst);
    c.get(src).i32(width).op(Op.i32Add).set(src);
    c.get(bytes).i32(width).op(Op.i32Sub).set(bytes);
    c.op(Op.br, 0, Op.end, Op.end);
  }
  return c;
}

/** dst += src over their memory (element offsets), or undefined when this memory has no SIMD adder. */
export function adderFor(a: Float32Array): AddRun | undefined {
  const memory = memoryOf(a);
  if (!memory || !wasmSimdSupported()) return undefined;
  let fn = adders.get(memory);
  if (!fn) {
    addModule ??= new WebAssembly.Module(encodeModule([{ name: 'addRun', code: emitAddRun() }], 1));
    fn = new WebAssembly.Instance(addModule, { env: { memory } }).exports.addRun as AddRun;
    adders.set(memory, fn);
  }
  return fn;
}
