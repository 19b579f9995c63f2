/**
 * A convolution and its filter gradient as products that read the image where it is (implicit im2col): row
 * (b, oy, ox) of the patches is, for each filter row fy, one run of fw·inC numbers of the image starting at
 * pixel (oy·sh + fy, ox·sw), so the product's blocks read those runs in place instead of a patches buffer
 * im2col wrote first (1.2 MB for the cnn bench's second layer, read again by the filter gradient). Where the
 * windows read padding, the images are first copied zero-bordered (emitPatches' emitPadImage, into the call's
 * scratch buffer) and the windows read the copy. Same blocks as gemmWasm.ts: 2 pixels × 16 channels in the
 * forward, 2 taps × 16 channels in the filter gradient, float32x4 accumulators over the taps (forward) or the
 * pixels (gradient, an image at a time, so its rows stay in cache while every block runs over them), each term
 * added in the order the patches' product adds it: the same bits as im2col + gemm, and the forward's bias and
 * relu applied as gemm's epilogue applies them.
 * Applies with dilation 1 and outC a multiple of 4; a module per geometry and fusing (kernelsOn.ts).
 */
import { Code, Op, Simd } from '../wasm/binary';
import { kernelsOn } from '../wasm/kernelsOn';
import { wasmSimdSupported } from '../wasm/loopModule';
import type { ConvGeometry } from './convKernels';
import { emitPadImage } from './emitPatches';
import { EPILOGUE_BIAS, EPILOGUE_RELU } from './gemmWasm';
import { fusedProducts, memoryOfAll } from './gemmKernels';

/** Where the windows read: the zero-bordered copy (rows × cols pixels from −top, −left) or the image itself. */
interface ImagePlan { readonly padded: boolean; readonly rows: number; readonly cols: number }

const BLOCK_EMPTY = 0x40;
const LOAD32_SPLAT = 0x09;
const VECTORS = 4;

/** The plan, or undefined where these kernels do not apply (dilation ≠ 1, output channels not a multiple of 4). */
export function implicitPlan(g: ConvGeometry): ImagePlan | undefined {
  const [, inH, inW, inC, outH, outW, outC, fh, fw, sh, sw, dh, dw, top, left] = Array.from(g, (v) => v | 0);
  if (dh !== 1 || dw !== 1 || outC % 4 !== 0 || inC === 0 || outC === 0) return undefined;
  const rows = (outH - 1) * sh + fh;
  const cols = (outW - 1) * sw + fw;
  const inside = top === 0 && left === 0 && rows <= inH && cols <= inW;
  return inside ? { padded: false, rows: inH, cols: inW } : { padded: true, rows, cols };
}

/** Numbers of the zero-bordered images (0 when the windows stay inside the image, or without a plan). */
export function implicitScratchFloats(g: ConvGeometry): number {
  const plan = implicitPlan(g);
  return plan?.padded ? (g[0] | 0) * plan.rows * plan.cols * (g[3] | 0) : 0;
}

type Forward = (image: number, filter: number, out: number, bias: number, epilogue: number) => void;
type FilterGradient = (image: number, dy: number, dfilter: number) => void;
type Pad = (image: number, padded: number) => void;
interface Functions { readonly plan: ImagePlan; readonly scratchFloats: number; readonly pad: Pad; readonly forward: Forward; readonly filterGradient: FilterGradient }

/** By the call's geometry buffer (a program constant); its numbers, memory and fusing are compared before use. */
const specialized = new WeakMap<object, { readonly geometry: Float64Array; readonly memory: WebAssembly.Memory; readonly fused: boolean; readonly fns: Functions }>();

function functionsFor(memory: WebAssembly.Memory, g: ConvGeometry): Functions | undefined {
  const fused = fusedProducts();
  const entry = specialized.get(g);
  if (entry && entry.memory === memory && entry.fused === fused && entry.geometry.every((v, i) => v === g[i])) return entry.fns;
  const plan = implicitPlan(g);
  if (!plan) return undefined;
  const geometry = Array.from(g, (v) => v | 0);
  const [batch, inH, inW, inC, , , , , , , , , , top, left] = geometry;
  const exports = kernelsOn(`implicitConv ${geometry.join(',')} ${fused ? 'fused' : 'mul+add'}`, memory, () => [
    { name: 'forward', code: emitForward(geometry, plan, fused) },
    { name: 'filterGradient', code: emitFilterGradient(geometry, plan, fused) },
    { name: 'pad', code: emitPadImage([batch, inH, inW, inC, 0, 0, 0, 0, 0, 0, 0, 0, top, left], plan.rows, plan.cols) },
  ]);
  const fns = { plan, scratchFloats: implicitScratchFloats(g), pad: exports.pad as Pad, forward: exports.forward as Forward, filterGradient: exports.filterGradient as FilterGradient };
  specialized.set(g, { geometry: Float64Array.from(g), memory, fused, fns });
  return fns;
}

/** The images the windows read: x, or its zero-bordered copy in `scratch` (made now unless `ready`). */
function imageAddress(fns: Functions, x: Float32Array, scratch: Float32Array, ready: boolean): number {
  if (!fns.plan.padded) return x.byteOffset;
  if (!ready) fns.pad(x.byteOffset, scratch.byteOffset);
  return scratch.byteOffset;
}

/**
 * out[pixels, outC] = conv2d(x, filter), then bias and relu as gemm's epilogue, when every array is a view of one
 * registered program memory, SIMD is there, the geometry has a plan and `scratch` holds implicitScratchFloats;
 * false (nothing written) otherwise. Leaves the zero-bordered images in `scratch` for the filter gradient.
 */
export function wasmImplicitConv(x: Float32Array, filter: Float32Array, out: Float32Array, scratch: Float32Array, g: ConvGeometry, bias?: Float32Array, relu = false): boolean {
  const memory = bias ? memoryOfAll(x, filter, out, scratch, bias) : memoryOfAll(x, filter, out, scratch);
  const fns = memory && wasmSimdSupported() ? functionsFor(memory, g) : undefined;
  if (!fns || scratch.length < fns.scratchFloats) return false;
  const bits = (bias ? EPILOGUE_BIAS : 0) | (relu ? EPILOGUE_RELU : 0);
  fns.forward(imageAddress(fns, x, scratch, false), filter.byteOffset, out.byteOffset, bias?.byteOffset ?? 0, bits);
  return true;
}

/** dfilter[taps, outC] = Σ over pixels of the windows · dy, as wasmImplicitConv applies; `ready`: its forward left the images in `scratch`. */
export function wasmImplicitFilterGradient(x: Float32Array, dy: Float32Array, dfilter: Float32Array, scratch: Float32Array, g: ConvGeometry, ready: boolean): boolean {
  const memory = memoryOfAll(x, dy, dfilter, scratch);
  const fns = memory && wasmSimdSupported() ? functionsFor(memory, g) : undefined;
  if (!fns || scratch.length < fns.scratchFloats) return false;
  fns.filterGradient(imageAddress(fns, x, scratch, ready), dy.byteOffset, dfilter.byteOffset);
  return true;
}

/** for (v = 0; v < end; v += step) body(), end a constant. */
function forConst(c: Code, v: number, end: number, step: number, body: () => void): void {
  c.i32(0).set(v);
  c.op(Op.block, BLOCK_EMPTY, Op.loop, BLOCK_EMPTY);
  c.get(v).i32(end - step).op(Op.i32GtS, Op.brIf, 1);
  body();
  c.get(v).i32(step).op(Op.i32Add).set(v);
  c.op(Op.br, 0, Op.end, Op.end);
}

function multiplyAdd(c: Code, fused: boolean, acc: number, a: number, b: number): void {
  if (fused) c.get(a).get(b).get(acc).simd(Simd.f32x4RelaxedMadd).set(acc);
  else c.get(acc).get(a).get(b).simd(Simd.f32x4Mul).simd(Simd.f32x4Add).set(acc);
}

const zero = (c: Code) => c.simd(Simd.v128Const, ...new Array<number>(16).fill(0));

/**
 * forward(image, filter, out, bias, epilogue): for each output row, pixel pairs (then a last single pixel) × blocks
 * of 16 channels, summed over every filter row's run in tap order, then bias and relu, then stored.
 */
function emitForward(g: readonly number[], plan: ImagePlan, fused: boolean): Code {
  const [batch, , , inC, outH, outW, outC, fh, fw, sh, sw] = g;
  const c = new Code(['i32', 'i32', 'i32', 'i32', 'i32'], []);
  const [image, filter, out, bias, epilogue] = [0, 1, 2, 3, 4];
  const i32 = () => c.local('i32');
  const [b, oy, ox, p, aPtr, bPtr, pixelAt, outAt] = [i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32()];
  const acc = [0, 1].map(() => Array.from({ length: VECTORS }, () => c.local('v128')));
  const bv = Array.from({ length: VECTORS }, () => c.local('v128'));
  const av = c.local('v128');
  const run = fw * inC;
  const [rowBytes, pixelBytes] = [4 * plan.cols * inC, 4 * sw * inC];
  const block = (pixels: number) => {
    for (let j = 0; j < outC; j += 4 * VECTORS) {
      const vectors = Math.min(VECTORS, (outC - j) / 4);
      for (let r = 0; r < pixels; r++) for (let q = 0; q < vectors; q++) zero(c).set(acc[r][q]);
      for (let fy = 0; fy < fh; fy++) {
        // The run of filter row fy: image at the pixel's window + fy rows, filter rows fy·run ….
        c.get(pixelAt).i32(fy * rowBytes).op(Op.i32Add).set(aPtr);
        c.get(filter).i32(4 * (fy * run * outC + j)).op(Op.i32Add).set(bPtr);
        c.i32(run).set(p);
        c.op(Op.loop, BLOCK_EMPTY);
        for (let q = 0; q < vectors; q++) c.get(bPtr).simdMemory(Simd.load, 16 * q).set(bv[q]);
        for (let r = 0; r < pixels; r++) {
          c.get(aPtr).simdMemory(LOAD32_SPLAT, r * pixelBytes).set(av);
          for (let q = 0; q < vectors; q++) multiplyAdd(c, fused, acc[r][q], av, bv[q]);
        }
        c.get(aPtr).i32(4).op(Op.i32Add).set(aPtr);
        c.get(bPtr).i32(4 * outC).op(Op.i32Add).set(bPtr);
        c.get(p).i32(1).op(Op.i32Sub).tee(p).op(Op.brIf, 0, Op.end);
      }
      emitBiasRelu(c, acc, pixels, vectors, bias, epilogue, j);
      for (let r = 0; r < pixels; r++) for (let q = 0; q < vectors; q++) c.get(outAt).get(acc[r][q]).simdMemory(Simd.store, 4 * (r * outC + j) + 16 * q);
    }
    c.get(pixelAt).i32(pixels * pixelBytes).op(Op.i32Add).set(pixelAt);
    c.get(outAt).i32(4 * pixels * outC).op(Op.i32Add).set(outAt);
  };
  c.get(out).set(outAt);
  forConst(c, b, batch, 1, () => forConst(c, oy, outH, 1, () => {
    // pixelAt: the window of (b, oy, 0): image row b·rows + oy·sh.
    c.get(image).get(b).i32(plan.rows).op(Op.i32Mul).get(oy).i32(sh).op(Op.i32Mul).op(Op.i32Add).i32(rowBytes).op(Op.i32Mul).op(Op.i32Add).set(pixelAt);
    const pairs = outW - (outW % 2);
    if (pairs > 0) forConst(c, ox, pairs, 2, () => block(2));
    if (pairs < outW) block(1);
  }));
  return c;
}

/** gemm's epilogue on the block's accumulators: + bias[j …] when asked, then relu (x < 0 selects 0: −0 and NaN stay). */
function emitBiasRelu(c: Code, acc: number[][], pixels: number, vectors: number, bias: number, epilogue: number, j: number): void {
  c.get(epilogue).i32(EPILOGUE_BIAS).op(Op.i32And).op(Op.if, BLOCK_EMPTY);
  for (let q = 0; q < vectors; q++) {
    for (let r = 0; r < pixels; r++) c.get(acc[r][q]).get(bias).simdMemory(Simd.load, 4 * j + 16 * q).simd(Simd.f32x4Add).set(acc[r][q]);
  }
  c.op(Op.end);
  c.get(epilogue).i32(EPILOGUE_RELU).op(Op.i32And).op(Op.if, BLOCK_EMPTY);
  for (let r = 0; r < pixels; r++) {
    for (let q = 0; q < vectors; q++) {
      zero(c).get(acc[r][q]).get(acc[r][q]);
      zero(c).simd(Simd.f32x4Lt).simd(Simd.bitselect).set(acc[r][q]);
    }
  }
  c.op(Op.end);
}

/**
 * filterGradient(image, dy, dfilter): an image at a time (its rows stay in cache), each pair of taps (then a last
 * single tap when there are an odd number) × block of 16 channels summed over the image's pixels in order (the
 * accumulators carried over from the image before through dfilter), so every element adds its terms in pixel
 * order, as the patches' product does. Tap t is at fy·(a row) + (t − fy·run)·4 bytes of every window (fy = t / run):
 * a pair may straddle two filter rows. A loop over a row's pixels, not straight-line code: V8 spilled the
 * unrolled row's accumulators (1.4x slower).
 */
function emitFilterGradient(g: readonly number[], plan: ImagePlan, fused: boolean): Code {
  const [batch, , , inC, outH, outW, outC, fh, fw, sh, sw] = g;
  const c = new Code(['i32', 'i32', 'i32'], []);
  const [image, dy, dfilter] = [0, 1, 2];
  const i32 = () => c.local('i32');
  const [b, oy, pair, aPtr, dyPtr, imageAt, dyAt, outAt, px, rowA] = [i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32()];
  const tapAt = [i32(), i32()];
  const acc = [0, 1].map(() => Array.from({ length: VECTORS }, () => c.local('v128')));
  const bv = Array.from({ length: VECTORS }, () => c.local('v128'));
  const av = c.local('v128');
  const run = fw * inC;
  const taps = fh * run;
  const [rowBytes, pixelBytes, dyPixelBytes] = [4 * plan.cols * inC, 4 * sw * inC, 4 * outC];
  const L: TapLocals = { fused, b, oy, px, rowA, aPtr, dyPtr, imageAt, dyAt, outAt, acc, bv, av, tapAt };
  const blocks = (rows: number) => {
    for (let j = 0; j < outC; j += 4 * VECTORS) emitTapBlock(c, L, { rows, j, vectors: Math.min(VECTORS, (outC - j) / 4), pixelBytes, dyPixelBytes, outH, outW, rowStep: sh * rowBytes, outC });
    c.get(outAt).i32(rows * 4 * outC).op(Op.i32Add).set(outAt);
  };
  /** tapAt[r] = the byte offset in a window of the tap on the stack. */
  const offsetOf = (r: number) => {
    const t = tapAt[r];
    c.set(t);
    c.get(t).i32(run).op(Op.i32DivU).i32(rowBytes).op(Op.i32Mul);
    c.get(t).get(t).i32(run).op(Op.i32DivU).i32(run).op(Op.i32Mul).op(Op.i32Sub).i32(4).op(Op.i32Mul).op(Op.i32Add).set(t);
  };
  forConst(c, b, batch, 1, () => {
    c.get(image).get(b).i32(plan.rows * rowBytes).op(Op.i32Mul).op(Op.i32Add).set(imageAt);
    c.get(dy).get(b).i32(outH * outW * dyPixelBytes).op(Op.i32Mul).op(Op.i32Add).set(dyAt);
    c.get(dfilter).set(outAt);
    const pairs = Math.floor(taps / 2);
    if (pairs > 0) {
      forConst(c, pair, pairs, 1, () => {
        for (const r of [0, 1]) {
          c.get(pair).i32(2).op(Op.i32Mul).i32(r).op(Op.i32Add);
          offsetOf(r);
        }
        blocks(2);
      });
    }
    if (taps % 2 === 1) {
      c.i32(taps - 1);
      offsetOf(0);
      blocks(1);
    }
  });
  return c;
}

interface TapLocals { fused: boolean; b: number; oy: number; px: number; rowA: number; aPtr: number; dyPtr: number; imageAt: number; dyAt: number; outAt: number; acc: number[][]; bv: number[]; av: number; tapAt: number[] }
interface TapShape { rows: number; j: number; vectors: number; pixelBytes: number; dyPixelBytes: number; outH: number; outW: number; rowStep: number; outC: number }

/** `rows` taps (at tapAt[r] in a window) × channels j …: this image's pixels added onto dfilter's (0 for the first image). */
function emitTapBlock(c: Code, L: TapLocals, s: TapShape): void {
  const { acc, bv, av } = L;
  c.get(L.b).op(Op.if, BLOCK_EMPTY);
  for (let r = 0; r < s.rows; r++) for (let q = 0; q < s.vectors; q++) c.get(L.outAt).simdMemory(Simd.load, 4 * (r * s.outC + s.j) + 16 * q).set(acc[r][q]);
  c.op(Op.else);
  for (let r = 0; r < s.rows; r++) for (let q = 0; q < s.vectors; q++) zero(c).set(acc[r][q]);
  c.op(Op.end);
  c.get(L.imageAt).set(L.aPtr);
  c.get(L.dyAt).i32(4 * s.j).op(Op.i32Add).set(L.dyPtr);
  forConst(c, L.oy, s.outH, 1, () => {
    c.get(L.aPtr).set(L.rowA);
    c.i32(s.outW).set(L.px);
    c.op(Op.loop, BLOCK_EMPTY);
    for (let q = 0; q < s.vectors; q++) c.get(L.dyPtr).simdMemory(Simd.load, 16 * q).set(bv[q]);
    for (let r = 0; r < s.rows; r++) {
      c.get(L.rowA).get(L.tapAt[r]).op(Op.i32Add).simdMemory(LOAD32_SPLAT, 0).set(av);
      for (let q = 0; q < s.vectors; q++) multiplyAdd(c, L.fused, acc[r][q], av, bv[q]);
    }
    c.get(L.rowA).i32(s.pixelBytes).op(Op.i32Add).set(L.rowA);
    c.get(L.dyPtr).i32(s.dyPixelBytes).op(Op.i32Add).set(L.dyPtr);
    c.get(L.px).i32(1).op(Op.i32Sub).tee(L.px).op(Op.brIf, 0, Op.end);
    c.get(L.aPtr).i32(s.rowStep).op(Op.i32Add).set(L.aPtr);
  });
  for (let r = 0; r < s.rows; r++) for (let q = 0; q < s.vectors; q++) c.get(L.outAt).get(acc[r][q]).simdMemory(Simd.store, 4 * (r * s.outC + s.j) + 16 * q);
}
