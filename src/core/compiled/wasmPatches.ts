/**
 * im2col and col2im (convKernels.ts) as one WebAssembly call per convolution over a compiled program's
 * memory: every image, output pixel, filter row, edge and padding row inside the module. The JS forms
 * cost a call per image row (stridedRuns) or an index-map gather per patch number (a single-channel
 * image's filter row is 3 numbers); bench/README.md, issue 20, has the figures.
 *
 * Both walk the patches in their order (batch, output row, output pixel, filter row, filter column), as
 * the JS loops do: col2im adds into each element of dx in the loops' order, one float32 addition each
 * (what the JS `dx[i] += p[i]` rounds to), so the sums have the JS loops' bits; im2col moves values only.
 */
import { Code, encodeModule, Op, Simd } from '../wasm/binary';
import { wasmSimdSupported } from '../wasm/loopModule';
import type { ConvGeometry } from './convKernels';
import { memoryOf } from './gemmKernels';

type Kind = 'im2col' | 'col2im';
/** (image, patches) byte addresses, then batch, inH, inW, inC, outH, outW, fh, fw, sh, sw, dh, dw, top, left. */
type PatchCall = (image: number, patches: number, ...geometry: number[]) => void;

const BLOCK_EMPTY = 0x40;
const PARAMS = ['image', 'patches', 'batch', 'inH', 'inW', 'inC', 'outH', 'outW', 'fh', 'fw', 'sh', 'sw', 'dh', 'dw', 'top', 'left'] as const;
type Param = (typeof PARAMS)[number];
const param = (name: Param) => PARAMS.indexOf(name);

let patchModule: WebAssembly.Module | undefined;
const instances = new WeakMap<WebAssembly.Memory, Record<Kind, PatchCall>>();

/** for (i = 0; i < end; i++) body() */
function forRange(c: Code, i: number, end: number, body: () => void): void {
  c.i32(0).set(i);
  c.op(Op.block, BLOCK_EMPTY, Op.loop, BLOCK_EMPTY);
  c.get(i).get(end).op(Op.i32GeS, Op.brIf, 1);
  body();
  c.get(i).i32(1).op(Op.i32Add).set(i);
  c.op(Op.br, 0, Op.end, Op.end);
}

/**
 * `bytes` bytes at `at` set to +0 (from < 0), copied from `from`, or added from `from` (at += from), 16 bytes
 * at a time then 4. Clobbers at, from and bytes.
 */
function emitRun(c: Code, what: 'zero' | 'copy' | 'add', at: number, from: number, bytes: number): void {
  for (const width of [16, 4] as const) {
    c.op(Op.block, BLOCK_EMPTY, Op.loop, BLOCK_EMPTY);
    c.get(bytes).i32(width).op(Op.i32LtS).op(Op.brIf, 1);
    c.get(at);
    if (width === 16) {
      if (what === 'zero') c.simd(Simd.v128Const, ...new Array<number>(16).fill(0));
      if (what === 'add') c.get(at).simdMemory(Simd.load, 0);
      if (what !== 'zero') c.get(from).simdMemory(Simd.load, 0);
      if (what === 'add') c.simd(Simd.f32x4Add);
      c.simdMemory(Simd.store, 0);
    } else {
      if (what === 'zero') c.f32(0);
      if (what === 'add') c.get(at).memory(Op.f32Load, 2, 0);
      if (what !== 'zero') c.get(from).memory(Op.f32Load, 2, 0);
      if (what === 'add') c.op(Op.f32Add);
      c.memory(Op.f32Store, 2, 0);
    }
    c.get(at).i32(width).op(Op.i32Add).set(at);
    if (what !== 'zero') c.get(from).i32(width).op(Op.i32Add).set(from);
    c.get(bytes).i32(width).op(Op.i32Sub).set(bytes);
    c.op(Op.br, 0, Op.end, Op.end);
  }
}

/** min(max(v, low), high) of locals/stack: v on the stack is replaced (low ≤ high assumed). */
function emitClamp(c: Code, scratch: number, low: number, high: number): void {
  // m = v < high ? v : high; then m > low ? m : low
  c.tee(scratch).get(high).get(scratch).get(high).op(Op.i32LtS).op(Op.select).set(scratch);
  c.get(scratch).get(low).get(scratch).get(low).op(Op.i32GtS).op(Op.select);
}

/**
 * A filter row is `segments` segments of `width` taps (one segment of fw taps without dilation along the
 * width, else fw of one tap); a segment's taps inside the image, [lo, hi), are one run of inputs.
 */
function emitPatches(kind: Kind): Code {
  const c = new Code(PARAMS.map(() => 'i32' as const), []);
  const p = (name: Param) => param(name);
  const [b, oy, ox, fy, fx] = [c.local('i32'), c.local('i32'), c.local('i32'), c.local('i32'), c.local('i32')];
  const [y, x0, xs, lo, hi, zero, scratch] = [c.local('i32'), c.local('i32'), c.local('i32'), c.local('i32'), c.local('i32'), c.local('i32'), c.local('i32')];
  const [cursor, rowAt, inC4, segments, width, segmentBytes, spanBytes] = [c.local('i32'), c.local('i32'), c.local('i32'), c.local('i32'), c.local('i32'), c.local('i32'), c.local('i32')];
  const [at, from, bytes] = [c.local('i32'), c.local('i32'), c.local('i32')];
  const copy = kind === 'im2col';
  c.get(p('inC')).i32(2).op(Op.i32Shl).set(inC4);
  // dw = 1: segments = 1, width = fw; else segments = fw, width = 1. (dw < 2 selects: dw ≥ 1 always.)
  c.i32(1).get(p('fw')).get(p('dw')).i32(2).op(Op.i32LtS).op(Op.select).set(segments);
  c.get(p('fw')).i32(1).get(p('dw')).i32(2).op(Op.i32LtS).op(Op.select).set(width);
  c.get(width).get(inC4).op(Op.i32Mul).set(segmentBytes);
  c.get(p('fw')).get(inC4).op(Op.i32Mul).set(spanBytes);
  c.get(p('patches')).set(cursor);
  forRange(c, b, p('batch'), () => forRange(c, oy, p('outH'), () => forRange(c, ox, p('outW'), () => {
    c.get(ox).get(p('sw')).op(Op.i32Mul).get(p('left')).op(Op.i32Sub).set(x0);
    forRange(c, fy, p('fh'), () => {
      c.get(oy).get(p('sh')).op(Op.i32Mul).get(p('top')).op(Op.i32Sub).get(fy).get(p('dh')).op(Op.i32Mul).op(Op.i32Add).set(y);
      // A padding row (y outside [0, inH), as unsigned): zeros, or nothing to add.
      c.get(y).get(p('inH')).op(Op.i32LtU, Op.if, BLOCK_EMPTY);
      c.get(p('image')).get(b).get(p('inH')).op(Op.i32Mul).get(y).op(Op.i32Add).get(p('inW')).op(Op.i32Mul).get(inC4).op(Op.i32Mul).op(Op.i32Add).set(rowAt);
      forRange(c, fx, segments, () => {
        c.get(x0).get(fx).get(p('dw')).op(Op.i32Mul).op(Op.i32Add).set(xs);
        // lo = clamp(−xs, 0, width), hi = clamp(inW − xs, lo, width): the segment's taps inside the image.
        c.i32(0).set(zero);
        c.i32(0).get(xs).op(Op.i32Sub);
        emitClamp(c, scratch, zero, width);
        c.set(lo);
        c.get(p('inW')).get(xs).op(Op.i32Sub);
        emitClamp(c, scratch, lo, width);
        c.set(hi);
        if (copy) {
          c.get(cursor).set(at).get(lo).get(inC4).op(Op.i32Mul).set(bytes);
          emitRun(c, 'zero', at, from, bytes);
        }
        // image run: rowAt + (xs + lo)·inC4, (hi − lo)·inC4 bytes; patch run: cursor + lo·inC4
        c.get(rowAt).get(xs).get(lo).op(Op.i32Add).get(inC4).op(Op.i32Mul).op(Op.i32Add).set(copy ? from : at);
        c.get(cursor).get(lo).get(inC4).op(Op.i32Mul).op(Op.i32Add).set(copy ? at : from);
        c.get(hi).get(lo).op(Op.i32Sub).get(inC4).op(Op.i32Mul).set(bytes);
        emitRun(c, copy ? 'copy' : 'add', at, from, bytes);
        if (copy) {
          c.get(cursor).get(hi).get(inC4).op(Op.i32Mul).op(Op.i32Add).set(at);
          c.get(width).get(hi).op(Op.i32Sub).get(inC4).op(Op.i32Mul).set(bytes);
          emitRun(c, 'zero', at, from, bytes);
        }
        c.get(cursor).get(segmentBytes).op(Op.i32Add).set(cursor);
      });
      c.op(Op.else);
      if (copy) {
        c.get(cursor).set(at).get(spanBytes).set(bytes);
        emitRun(c, 'zero', at, from, bytes);
      }
      c.get(cursor).get(spanBytes).op(Op.i32Add).set(cursor);
      c.op(Op.end);
    });
  })));
  return c;
}

/**
 * im2col(image, patches, g) or col2im(patches, image, g) in one call when both are views of one registered
 * program memory (gemmKernels.registerMemory) with SIMD; false (nothing done) otherwise. col2im adds into
 * the image as it is: the caller zeroes it first.
 */
export function wasmPatches(kind: Kind, image: Float32Array, patches: Float32Array, g: ConvGeometry): boolean {
  const memory = memoryOf(image);
  if (!memory || patches.buffer !== image.buffer || !wasmSimdSupported()) return false;
  let fns = instances.get(memory);
  if (!fns) {
    patchModule ??= new WebAssembly.Module(encodeModule([
      { name: 'im2col', code: emitPatches('im2col') },
      { name: 'col2im', code: emitPatches('col2im') },
    ], 1));
    const exports = new WebAssembly.Instance(patchModule, { env: { memory } }).exports;
    instances.set(memory, (fns = { im2col: exports.im2col as PatchCall, col2im: exports.col2im as PatchCall }));
  }
  fns[kind](image.byteOffset, patches.byteOffset, g[0], g[1], g[2], g[3], g[4], g[5], g[7], g[8], g[9], g[10], g[11], g[12], g[13], g[14]);
  return true;
}
