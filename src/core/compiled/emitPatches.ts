/**
 * The code of wasmPatches.ts' functions: im2col and col2im for one geometry (its numbers constants in the code),
 * and the padding copy im2col may make first. Emitted the same for a shared memory and for an unshared one.
 */
import { Code, Op, Simd } from '../wasm/binary';

export type PatchKind = 'im2col' | 'col2im';

const BLOCK_EMPTY = 0x40;
/**
 * The function's two parameters, then its geometry as locals set from constants on entry (TurboFan folds
 * them): batch, inH, inW, inC, outH, outW, fh, fw, sh, sw, dh, dw, top, left, and the output columns
 * [first, end) whose windows are inside the image along the width (none under dilation).
 */
const PARAMS = ['image', 'patches', 'batch', 'inH', 'inW', 'inC', 'outH', 'outW', 'fh', 'fw', 'sh', 'sw', 'dh', 'dw', 'top', 'left', 'first', 'end'] as const;
type Param = (typeof PARAMS)[number];
const param = (name: Param) => PARAMS.indexOf(name);
/** An interior pixel's runs are unrolled up to this many float32x4 steps (else a loop per filter row). */
const UNROLL_MAX = 64;

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

interface Locals {
  readonly b: number; readonly oy: number; readonly ox: number; readonly fy: number; readonly fx: number;
  readonly y: number; readonly x0: number; readonly xs: number; readonly lo: number; readonly hi: number; readonly zero: number; readonly scratch: number;
  readonly cursor: number; readonly rowAt: number; readonly inC4: number; readonly segments: number; readonly width: number;
  readonly segmentBytes: number; readonly spanBytes: number; readonly rowStride: number; readonly rowsIn: number;
  readonly patchesEnd: number; readonly imageEnd: number;
  readonly at: number; readonly from: number; readonly bytes: number; readonly pixelAt: number; readonly colStride: number;
}

function declareLocals(c: Code): Locals {
  const names = ['b', 'oy', 'ox', 'fy', 'fx', 'y', 'x0', 'xs', 'lo', 'hi', 'zero', 'scratch', 'cursor', 'rowAt', 'inC4', 'segments', 'width',
    'segmentBytes', 'spanBytes', 'rowStride', 'rowsIn', 'patchesEnd', 'imageEnd', 'at', 'from', 'bytes', 'pixelAt', 'colStride'] as const;
  return Object.fromEntries(names.map((name) => [name, c.local('i32')])) as unknown as Locals;
}

/**
 * An interior pixel's filter rows as straight-line code with the geometry's offsets (at most UNROLL_MAX
 * float32x4 steps): im2col copies each run in steps rounded up, col2im adds it in float32x4 steps then 4-byte
 * steps. False when the runs are too long to unroll.
 */
function emitUnrolledPixel(c: Code, L: Locals, copy: boolean, geometry: readonly number[]): boolean {
  const known = (name: Param) => geometry[param(name) - 2];
  const [fh, spanBytes, rowStride] = [known('fh'), known('fw') * known('inC') * 4, known('inW') * known('inC') * 4 * known('dh')];
  if (fh * Math.ceil(spanBytes / 16) > UNROLL_MAX) return false;
  const vectors = copy ? Math.ceil(spanBytes / 16) : Math.floor(spanBytes / 16);
  // Patch bytes at cursor + fy·spanBytes, image bytes at pixelAt + fy·rowStride.
  const [dst, src] = copy ? [L.cursor, L.pixelAt] : [L.pixelAt, L.cursor];
  for (let fy = 0; fy < fh; fy++) {
    const [dstRow, srcRow] = copy ? [fy * spanBytes, fy * rowStride] : [fy * rowStride, fy * spanBytes];
    for (let k = 0; k < vectors; k++) {
      c.get(dst);
      if (!copy) c.get(dst).simdMemory(Simd.load, dstRow + 16 * k);
      c.get(src).simdMemory(Simd.load, srcRow + 16 * k);
      if (!copy) c.simd(Simd.f32x4Add);
      c.simdMemory(Simd.store, dstRow + 16 * k);
    }
    for (let t = 16 * vectors; !copy && t < spanBytes; t += 4) {
      c.get(dst).get(dst).memory(Op.f32Load, 2, dstRow + t).get(src).memory(Op.f32Load, 2, srcRow + t).op(Op.f32Add).memory(Op.f32Store, 2, dstRow + t);
    }
  }
  c.get(L.cursor).i32(fh * spanBytes).op(Op.i32Add).set(L.cursor);
  return true;
}

/**
 * A pixel whose window is inside the image (dilation 1 along the width): each filter row is one run, from
 * `from` on, the rows rowStride bytes apart. im2col copies it in float32x4 steps rounded up: the few bytes
 * past a run are the next run's, written after it (the caller keeps 16 bytes of both buffers beyond).
 */
function emitInteriorPixel(c: Code, L: Locals, copy: boolean, geometry: readonly number[]): void {
  const p = (name: Param) => param(name);
  if (emitUnrolledPixel(c, L, copy, geometry)) return;
  c.get(L.pixelAt).set(L.rowAt);
  forRange(c, L.fy, p('fh'), () => {
    c.get(L.cursor).set(copy ? L.at : L.from).get(L.rowAt).set(copy ? L.from : L.at).get(L.spanBytes).set(L.bytes);
    if (copy) {
      c.op(Op.loop, BLOCK_EMPTY);
      c.get(L.at).get(L.from).simdMemory(Simd.load, 0).simdMemory(Simd.store, 0);
      c.get(L.at).i32(16).op(Op.i32Add).set(L.at).get(L.from).i32(16).op(Op.i32Add).set(L.from);
      c.get(L.bytes).i32(16).op(Op.i32Sub).tee(L.bytes).i32(0).op(Op.i32GtS, Op.brIf, 0, Op.end);
    } else {
      emitRun(c, 'add', L.at, L.from, L.bytes);
    }
    c.get(L.cursor).get(L.spanBytes).op(Op.i32Add).set(L.cursor);
    c.get(L.rowAt).get(L.rowStride).op(Op.i32Add).set(L.rowAt);
  });
}

/**
 * Any pixel: a filter row is `segments` segments of `width` taps (one segment of fw taps without dilation
 * along the width, else fw of one tap); a segment's taps inside the image, [lo, hi), are one run of inputs,
 * the rest zeros (im2col) or nothing (col2im); a padding row is all zeros or nothing.
 */
function emitEdgePixel(c: Code, L: Locals, copy: boolean): void {
  const p = (name: Param) => param(name);
  forRange(c, L.fy, p('fh'), () => {
    c.get(L.oy).get(p('sh')).op(Op.i32Mul).get(p('top')).op(Op.i32Sub).get(L.fy).get(p('dh')).op(Op.i32Mul).op(Op.i32Add).set(L.y);
    // y inside [0, inH) as unsigned
    c.get(L.y).get(p('inH')).op(Op.i32LtU, Op.if, BLOCK_EMPTY);
    c.get(p('image')).get(L.b).get(p('inH')).op(Op.i32Mul).get(L.y).op(Op.i32Add).get(p('inW')).op(Op.i32Mul).get(L.inC4).op(Op.i32Mul).op(Op.i32Add).set(L.rowAt);
    forRange(c, L.fx, L.segments, () => {
      c.get(L.x0).get(L.fx).get(p('dw')).op(Op.i32Mul).op(Op.i32Add).set(L.xs);
      // lo = clamp(−xs, 0, width), hi = clamp(inW − xs, lo, width)
      c.i32(0).set(L.zero);
      c.i32(0).get(L.xs).op(Op.i32Sub);
      emitClamp(c, L.scratch, L.zero, L.width);
      c.set(L.lo);
      c.get(p('inW')).get(L.xs).op(Op.i32Sub);
      emitClamp(c, L.scratch, L.lo, L.width);
      c.set(L.hi);
      if (copy) {
        c.get(L.cursor).set(L.at).get(L.lo).get(L.inC4).op(Op.i32Mul).set(L.bytes);
        emitRun(c, 'zero', L.at, L.from, L.bytes);
      }
      // image run: rowAt + (xs + lo)·inC4, (hi − lo)·inC4 bytes; patch run: cursor + lo·inC4
      c.get(L.rowAt).get(L.xs).get(L.lo).op(Op.i32Add).get(L.inC4).op(Op.i32Mul).op(Op.i32Add).set(copy ? L.from : L.at);
      c.get(L.cursor).get(L.lo).get(L.inC4).op(Op.i32Mul).op(Op.i32Add).set(copy ? L.at : L.from);
      c.get(L.hi).get(L.lo).op(Op.i32Sub).get(L.inC4).op(Op.i32Mul).set(L.bytes);
      emitRun(c, copy ? 'copy' : 'add', L.at, L.from, L.bytes);
      if (copy) {
        c.get(L.cursor).get(L.hi).get(L.inC4).op(Op.i32Mul).op(Op.i32Add).set(L.at);
        c.get(L.width).get(L.hi).op(Op.i32Sub).get(L.inC4).op(Op.i32Mul).set(L.bytes);
        emitRun(c, 'zero', L.at, L.from, L.bytes);
      }
      c.get(L.cursor).get(L.segmentBytes).op(Op.i32Add).set(L.cursor);
    });
    c.op(Op.else);
    if (copy) {
      c.get(L.cursor).set(L.at).get(L.spanBytes).set(L.bytes);
      emitRun(c, 'zero', L.at, L.from, L.bytes);
    }
    c.get(L.cursor).get(L.spanBytes).op(Op.i32Add).set(L.cursor);
    c.op(Op.end);
  });
}

/** The locals that depend on the geometry only. */
function emitSetup(c: Code, L: Locals): void {
  const p = (name: Param) => param(name);
  c.get(p('inC')).i32(2).op(Op.i32Shl).set(L.inC4);
  // dw = 1: segments = 1, width = fw; else segments = fw, width = 1. (dw < 2 selects: dw ≥ 1 always.)
  c.i32(1).get(p('fw')).get(p('dw')).i32(2).op(Op.i32LtS).op(Op.select).set(L.segments);
  c.get(p('fw')).i32(1).get(p('dw')).i32(2).op(Op.i32LtS).op(Op.select).set(L.width);
  c.get(L.width).get(L.inC4).op(Op.i32Mul).set(L.segmentBytes);
  c.get(p('fw')).get(L.inC4).op(Op.i32Mul).set(L.spanBytes);
  c.get(p('inW')).get(L.inC4).op(Op.i32Mul).get(p('dh')).op(Op.i32Mul).set(L.rowStride);
  c.get(p('sw')).get(L.inC4).op(Op.i32Mul).set(L.colStride);
  // The last pixel start (cursor) and first filter row (rowAt) whose rounded-up 16-byte steps stay inside the buffers:
  // patches' end − fh·span − 16, image's end − (fh − 1)·rowStride − span − 16.
  c.get(p('patches')).get(p('batch')).get(p('outH')).op(Op.i32Mul).get(p('outW')).op(Op.i32Mul).get(p('fh')).op(Op.i32Mul).get(L.spanBytes).op(Op.i32Mul).op(Op.i32Add);
  c.get(p('fh')).get(L.spanBytes).op(Op.i32Mul).op(Op.i32Sub).i32(16).op(Op.i32Sub).set(L.patchesEnd);
  c.get(p('image')).get(p('batch')).get(p('inH')).op(Op.i32Mul).get(p('inW')).op(Op.i32Mul).get(L.inC4).op(Op.i32Mul).op(Op.i32Add);
  c.get(p('fh')).i32(1).op(Op.i32Sub).get(L.rowStride).op(Op.i32Mul).op(Op.i32Sub).get(L.spanBytes).op(Op.i32Sub).i32(16).op(Op.i32Sub).set(L.imageEnd);
  c.get(p('patches')).set(L.cursor);
}

/** Whether the pixel at (b, oy, ox) takes the interior path (its first filter row's run at pixelAt). */
function emitInteriorTest(c: Code, L: Locals, copy: boolean): void {
  const p = (name: Param) => param(name);
  // rowsIn and first ≤ ox < end (as unsigned: ox − first < end − first)
  c.get(L.rowsIn);
  c.get(L.ox).get(p('first')).op(Op.i32Sub).get(p('end')).get(p('first')).op(Op.i32Sub).op(Op.i32LtU, Op.i32And);
  if (copy) {
    // The rounded-up steps stay inside both buffers.
    c.get(L.cursor).get(L.patchesEnd).op(Op.i32LeS, Op.i32And);
    c.get(L.pixelAt).get(L.imageEnd).op(Op.i32LeS, Op.i32And);
  }
}

/** The whole im2col or col2im: loops over (batch, output row, output pixel), a pixel at a time. */
export function emitPatches(kind: PatchKind, geometry: readonly number[]): Code {
  const c = new Code(['i32', 'i32'], []);
  const p = (name: Param) => param(name);
  PARAMS.slice(2).forEach(() => c.local('i32'));
  const L = declareLocals(c);
  geometry.forEach((v, k) => c.i32(v).set(k + 2));
  const copy = kind === 'im2col';
  emitSetup(c, L);
  forRange(c, L.b, p('batch'), () => {
    // col2im: image b = 0 first, just before its sums (a patch adds into its own image only), so they add into
    // an image in cache; a JS fill on a shared memory's view costs more than these stores.
    if (!copy) {
      c.get(p('inH')).get(p('inW')).op(Op.i32Mul).get(L.inC4).op(Op.i32Mul).set(L.bytes);
      c.get(p('image')).get(L.b).get(L.bytes).op(Op.i32Mul).op(Op.i32Add).set(L.at);
      emitRun(c, 'zero', L.at, L.from, L.bytes);
    }
    forRange(c, L.oy, p('outH'), () => {
      // rowsIn: every filter row of this output row is inside the image (y0 ≥ 0 and y0 + (fh − 1)·dh < inH)
      c.get(L.oy).get(p('sh')).op(Op.i32Mul).get(p('top')).op(Op.i32Sub).tee(L.y).i32(0).op(Op.i32GeS);
      c.get(L.y).get(p('fh')).i32(1).op(Op.i32Sub).get(p('dh')).op(Op.i32Mul).op(Op.i32Add).get(p('inH')).op(Op.i32LtS, Op.i32And).set(L.rowsIn);
      // pixelAt = image + ((b·inH + y0)·inW − left)·inC4: pixel ox's first filter row starts at pixelAt + ox·colStride
      c.get(p('image')).get(L.b).get(p('inH')).op(Op.i32Mul).get(L.y).op(Op.i32Add).get(p('inW')).op(Op.i32Mul).get(p('left')).op(Op.i32Sub);
      c.get(L.inC4).op(Op.i32Mul).op(Op.i32Add).set(L.pixelAt);
      forRange(c, L.ox, p('outW'), () => {
        c.get(L.ox).get(p('sw')).op(Op.i32Mul).get(p('left')).op(Op.i32Sub).set(L.x0);
        emitInteriorTest(c, L, copy);
        c.op(Op.if, BLOCK_EMPTY);
        emitInteriorPixel(c, L, copy, geometry);
        c.op(Op.else);
        emitEdgePixel(c, L, copy);
        c.op(Op.end);
        c.get(L.pixelAt).get(L.colStride).op(Op.i32Add).set(L.pixelAt);
      });
    });
  });
  return c;
}

/**
 * padImage(image, padded): each image's rows −top … height − top − 1 and columns −left … width − left − 1,
 * zeros outside the image, written in order from `padded` on.
 */
export function emitPadImage(geometry: readonly number[], height: number, width: number): Code {
  const [batch, inH, inW, inC] = geometry;
  const [top, left] = [geometry[12], geometry[13]];
  const c = new Code(['i32', 'i32'], []);
  const [image, at] = [0, 1];
  const [b, y, from, bytes, batchEnd, rowsEnd] = [0, 0, 0, 0, 0, 0].map(() => c.local('i32'));
  const copied = Math.max(0, Math.min(inW, width - left));
  c.i32(batch).set(batchEnd).i32(height).set(rowsEnd);
  forRange(c, b, batchEnd, () => forRange(c, y, rowsEnd, () => {
    // The image row y − top when inside [0, inH) (as unsigned), else a row of zeros; emitRun moves `at` on.
    c.get(y).i32(top).op(Op.i32Sub).i32(inH).op(Op.i32LtU, Op.if, BLOCK_EMPTY);
    c.i32(4 * left * inC).set(bytes);
    emitRun(c, 'zero', at, from, bytes);
    c.get(image).get(b).i32(inH).op(Op.i32Mul).get(y).op(Op.i32Add).i32(top).op(Op.i32Sub).i32(4 * inW * inC).op(Op.i32Mul).op(Op.i32Add).set(from);
    c.i32(4 * copied * inC).set(bytes);
    emitRun(c, 'copy', at, from, bytes);
    c.i32(4 * (width - left - copied) * inC).set(bytes);
    emitRun(c, 'zero', at, from, bytes);
    c.op(Op.else);
    c.i32(4 * width * inC).set(bytes);
    emitRun(c, 'zero', at, from, bytes);
    c.op(Op.end);
  }));
  return c;
}
