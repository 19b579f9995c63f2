/**
 * Many equal runs in one call (convKernels.ts' im2col and col2im: a filter row of fw·inC consecutive
 * inputs for each output pixel along a row of the image): run k copies, or adds, `bytes` bytes from
 * src + k·srcStride to dst + k·dstStride, as WebAssembly over a compiled program's memory. A call per
 * run (a memmove, or patchRuns.ts' SIMD add) cost more than the run itself at 48 numbers: the `cnn`
 * row's second layer made 6,144 of each per step (bench/README.md, issue 20). The add rounds as the
 * JS `dx[i] += p[i]` does (one float32 addition), so either form gives the JS loops' bits.
 */
import { Code, encodeModule, Op, Simd } from '../wasm/binary';
import { wasmSimdSupported } from '../wasm/loopModule';
import { memoryOf } from './gemmKernels';

/** runs(dst, src, bytes, count, dstStride, srcStride), every argument in bytes but count. */
export type StridedRuns = (dst: number, src: number, bytes: number, count: number, dstStride: number, srcStride: number) => void;

const BLOCK_EMPTY = 0x40;
const modules = new Map<'copy' | 'add', WebAssembly.Module>();
const instances = new WeakMap<WebAssembly.Memory, Map<'copy' | 'add', StridedRuns>>();

/** One 16- or 4-byte step of a run: dst = src (copy) or dst = dst + src (add) at the locals' addresses. */
function step(c: Code, kind: 'copy' | 'add', width: 16 | 4, at: number, from: number): void {
  c.get(at);
  if (width === 16) {
    if (kind === 'add') c.get(at).simdMemory(Simd.load, 0);
    c.get(from).simdMemory(Simd.load, 0);
    if (kind === 'add') c.simd(Simd.f32x4Add);
    c.simdMemory(Simd.store, 0);
    return;
  }
  if (kind === 'add') c.get(at).memory(Op.f32Load, 2, 0);
  c.get(from).memory(Op.f32Load, 2, 0);
  if (kind === 'add') c.op(Op.f32Add);
  c.memory(Op.f32Store, 2, 0);
}

function emitRuns(kind: 'copy' | 'add'): Code {
  const c = new Code(['i32', 'i32', 'i32', 'i32', 'i32', 'i32'], []);
  const [dst, src, bytes, count, dstStride, srcStride] = [0, 1, 2, 3, 4, 5];
  const [at, from, left] = [c.local('i32'), c.local('i32'), c.local('i32')];
  // for (; count > 0; count--, dst += dstStride, src += srcStride)
  c.op(Op.block, BLOCK_EMPTY, Op.loop, BLOCK_EMPTY);
  c.i32(0).get(count).op(Op.i32GeS, Op.brIf, 1);
  c.get(dst).set(at).get(src).set(from).get(bytes).set(left);
  for (const width of [16, 4] as const) {
    c.op(Op.block, BLOCK_EMPTY, Op.loop, BLOCK_EMPTY);
    c.get(left).i32(width).op(Op.i32LtS).op(Op.brIf, 1);
    step(c, kind, width, at, from);
    c.get(at).i32(width).op(Op.i32Add).set(at);
    c.get(from).i32(width).op(Op.i32Add).set(from);
    c.get(left).i32(width).op(Op.i32Sub).set(left);
    c.op(Op.br, 0, Op.end, Op.end);
  }
  c.get(dst).get(dstStride).op(Op.i32Add).set(dst);
  c.get(src).get(srcStride).op(Op.i32Add).set(src);
  c.get(count).i32(1).op(Op.i32Sub).set(count);
  c.op(Op.br, 0, Op.end, Op.end);
  return c;
}

/** The strided copy or add over a's memory, or undefined when a is not in a compiled program's memory (or no SIMD). */
export function stridedRunsFor(a: Float32Array, kind: 'copy' | 'add'): StridedRuns | undefined {
  const memory = memoryOf(a);
  if (!memory || !wasmSimdSupported()) return undefined;
  let byKind = instances.get(memory);
  if (!byKind) instances.set(memory, (byKind = new Map()));
  let fn = byKind.get(kind);
  if (!fn) {
    let module = modules.get(kind);
    if (!module) modules.set(kind, (module = new WebAssembly.Module(encodeModule([{ name: 'runs', code: emitRuns(kind) }], 1))));
    fn = new WebAssembly.Instance(module, { env: { memory } }).exports.runs as StridedRuns;
    byKind.set(kind, fn);
  }
  return fn;
}
