/**
 * 2-D convolutions (NHWC, filters [fh, fw, in, out]) and their two gradients as im2col + matrix
 * products: the patches of the input (one row per output pixel, one column per filter tap and input
 * channel) times the filter, which is already the [taps·in, out] matrix the product needs. The
 * patches live in a scratch buffer the program allocates once (no allocation per run); the products
 * are `gemm` (gemmKernels.ts: WebAssembly SIMD when every array is in one WebAssembly memory).
 */
import type * as tf from '@tensorflow/tfjs';
import { gemm } from './gemmKernels';
import { implicitPlan, implicitScratchFloats, wasmImplicitConv, wasmImplicitFilterGradient } from './implicitConvWasm';
import { wasmInputGradient, type DxEpilogue } from './inputGradientWasm';
import { PATCH_MAP_MAX, patchSources } from './patchMaps';
import { threadsTake } from './productThreads';
import { paddedImageFloats, wasmPatches } from './wasmPatches';
import { wasmTranspose } from './wasmTranspose';

/**
 * A convolution's geometry: batch, input height, width, channels, output height, width, channels,
 * filter height, width, strides, dilations, and the padding before the first row and column
 * (tfjs's computeConv2DInfo decides them). Calls get it as a constant buffer of the program.
 */
export type ConvGeometry = Float32Array | readonly number[];

/** The geometry TensorFlow.js's computeConv2DInfo decided (channels last). */
export function geometryOfInfo(info: tf.backend_util.Conv2DInfo): number[] {
  return [
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth, info.outChannels,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth,
    info.padInfo.top, info.padInfo.left,
  ];
}

/** Runs shorter than this many numbers go through the geometry's index map in JS (patchMaps.ts). */
const SHORT_RUN = 16;

/**
 * patches[(b, oy, ox), (fy, fx, c)] = x[b, oy·sh − top + fy·dh, ox·sw − left + fx·dw, c], 0 outside.
 * One WebAssembly call over a program's memory (wasmPatches.ts); elsewhere JS: a gather through the
 * geometry's index map when a filter row is a few numbers, else a filter row per patch row.
 */
function im2col(x: Float32Array, patches: Float32Array, g: ConvGeometry): void {
  if (wasmPatches('im2col', x, patches, g)) return;
  const batch = g[0] | 0, inH = g[1] | 0, inW = g[2] | 0, inC = g[3] | 0, outH = g[4] | 0, outW = g[5] | 0;
  const fh = g[7] | 0, fw = g[8] | 0, sh = g[9] | 0, sw = g[10] | 0, dh = g[11] | 0, dw = g[12] | 0, top = g[13] | 0, left = g[14] | 0;
  const span = fw * inC;
  if (span < SHORT_RUN && patches.length <= PATCH_MAP_MAX) {
    const sources = patchSources(g);
    for (let i = 0; i < sources.length; i++) patches[i] = sources[i] < 0 ? 0 : x[sources[i]];
    return;
  }
  let dst = 0;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * sw - left;
        for (let fy = 0; fy < fh; fy++, dst += span) {
          const y = oy * sh - top + fy * dh;
          if (y < 0 || y >= inH) {
            patches.fill(0, dst, dst + span);
            continue;
          }
          const rowStart = (b * inH + y) * inW;
          for (let fx = 0; fx < fw; fx++) {
            const xx = x0 + fx * dw;
            const at = dst + fx * inC;
            const src = (rowStart + xx) * inC;
            const outside = xx < 0 || xx >= inW;
            for (let c = 0; c < inC; c++) patches[at + c] = outside ? 0 : x[src + c];
          }
        }
      }
    }
  }
}

/**
 * The adjoint of im2col: dx[b, y, x, c] = Σ of the patch entries that read it, added in patch order (the
 * WebAssembly call adds in the same order, one float32 addition each: the same bits).
 */
function col2im(patches: Float32Array, dx: Float32Array, g: ConvGeometry): void {
  if (wasmPatches('col2im', dx, patches, g)) return;
  dx.fill(0);
  const batch = g[0] | 0, inH = g[1] | 0, inW = g[2] | 0, inC = g[3] | 0, outH = g[4] | 0, outW = g[5] | 0;
  const fh = g[7] | 0, fw = g[8] | 0, sh = g[9] | 0, sw = g[10] | 0, dh = g[11] | 0, dw = g[12] | 0, top = g[13] | 0, left = g[14] | 0;
  const span = fw * inC;
  if (span < SHORT_RUN && patches.length <= PATCH_MAP_MAX) {
    const sources = patchSources(g);
    for (let i = 0; i < sources.length; i++) if (sources[i] >= 0) dx[sources[i]] += patches[i];
    return;
  }
  let src = 0;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * sw - left;
        for (let fy = 0; fy < fh; fy++, src += span) {
          const y = oy * sh - top + fy * dh;
          if (y < 0 || y >= inH) continue;
          const rowStart = (b * inH + y) * inW;
          for (let fx = 0; fx < fw; fx++) {
            const xx = x0 + fx * dw;
            if (xx < 0 || xx >= inW) continue;
            const dst = (rowStart + xx) * inC;
            const at = src + fx * inC;
            for (let c = 0; c < inC; c++) dx[dst + c] += patches[at + c];
          }
        }
      }
    }
  }
}

/**
 * Whether the forward and the filter gradient read the image in place (implicitConvWasm.ts): on one thread, where
 * the geometry allows; products the threads would share keep the patches.
 */
function implicitRuns(g: ConvGeometry): boolean {
  const [pixels, taps, outC] = [pixelsOf(g), tapsOf(g), g[6]];
  const plan = implicitPlanOf(g);
  return plan !== undefined && !threadsTake(pixels, taps, outC) && !threadsTake(taps, pixels, outC);
}

/** The geometry's implicit plan, remembered by its buffer (a program constant: no work per run). */
const implicitPlans = new WeakMap<object, { readonly geometry: Float64Array; readonly plan: ReturnType<typeof implicitPlan> }>();
function implicitPlanOf(g: ConvGeometry): ReturnType<typeof implicitPlan> {
  const known = implicitPlans.get(g);
  if (known && known.geometry.every((v, i) => v === g[i])) return known.plan;
  const plan = implicitPlan(g);
  implicitPlans.set(g, { geometry: Float64Array.from(g), plan });
  return plan;
}

/**
 * Whether Conv2DBackpropInput may run phase by phase (on the calling thread): a product the threads would share keeps
 * its rows over them. The epilogue analysis (inputGradientEpilogues.ts) asks the same before it fuses.
 */
export function inputGradientOnOneThread(g: ConvGeometry): boolean {
  return !threadsTake(pixelsOf(g), g[6], tapsOf(g));
}

/** The input gradient's epilogue after col2im: the kernel's products, its sums added in pixel order (not the kernel's). */
function stepAndSums(dx: Float32Array, channels: number, { mask, alpha, sums }: DxEpilogue): void {
  sums?.fill(0);
  for (let i = 0; i < dx.length; i++) {
    const y = mask[i];
    dx[i] *= y > 0 ? 1 : y !== y ? y : alpha;
    if (sums) sums[i % channels] += dx[i];
  }
}

/** The patch gathers on their own, for the tests that hold the WebAssembly runs to the JS loops' bits. */
export const PATCH_KERNELS = { im2col, col2im };

const pixelsOf = (g: ConvGeometry) => g[0] * g[4] * g[5];
const tapsOf = (g: ConvGeometry) => g[7] * g[8] * g[3];

/**
 * The patches buffer of a forward convolution: its patches, then room for the padded image im2col may make first
 * (wasmPatches.ts); or the zero-bordered images the implicit filter gradient reads for an odd inC, when larger
 * (implicitConvWasm.ts).
 */
export const patchesFloats = (g: ConvGeometry) => Math.max(pixelsOf(g) * tapsOf(g) + paddedImageFloats(g), implicitScratchFloats(g));

export const CONV_KERNELS = {
  /**
   * tf.conv2d: out[pixels, outC] = patches(x)[pixels, taps] · filter[taps, outC], then, when given, its
   * epilogue (convEpilogues.ts): + bias[outC] (false: none) and relu.
   */
  conv2d(x: Float32Array, filter: Float32Array, out: Float32Array, patches: Float32Array, g: ConvGeometry, bias?: Float32Array | false, relu = false): void {
    if (implicitRuns(g) && wasmImplicitConv(x, filter, out, g, bias || undefined, relu)) return;
    im2col(x, patches, g);
    const epilogue = bias || relu ? { bias: bias || undefined, relu } : undefined;
    gemm(patches, filter, out, pixelsOf(g), tapsOf(g), g[6], false, false, epilogue);
  },

  /**
   * Conv2DBackpropInput: dx = col2im(dy[pixels, outC] · filterᵀ[outC, taps]); the filter is transposed
   * into `filterT` first (it is small), so the product reads rows of both operands. On one thread, as
   * WebAssembly phase by phase without the patches (inputGradientWasm.ts; `patches` holds its partial sums).
   * With `mask`, dx is dx·step(mask) and, with `sums`, its column sums too (inputGradientEpilogues.ts).
   */
  conv2dBackpropInput(dy: Float32Array, filter: Float32Array, dx: Float32Array, patches: Float32Array, filterT: Float32Array, g: ConvGeometry, mask?: Float32Array, sums?: Float32Array | false, alpha = 0): void {
    const taps = tapsOf(g);
    const outC = g[6];
    if (!wasmTranspose(filter, taps, outC, filterT)) for (let t = 0; t < taps; t++) for (let o = 0; o < outC; o++) filterT[o * taps + t] = filter[t * outC + o];
    const epilogue = mask ? { mask, alpha, sums: sums || undefined } : undefined;
    if (inputGradientOnOneThread(g) && wasmInputGradient(dy, filterT, dx, patches, g, epilogue)) return;
    gemm(dy, filterT, patches, pixelsOf(g), outC, taps, false, false);
    col2im(patches, dx, g);
    if (epilogue) stepAndSums(dx, g[3], epilogue);
  },

  /**
   * Conv2DBackpropFilter: dfilter[taps, outC] = patches(x)ᵀ[taps, pixels] · dy[pixels, outC]. `ready`:
   * the forward convolution of the same x already left its patches there.
   */
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dfilter: Float32Array, patches: Float32Array, ready: boolean, g: ConvGeometry): void {
    // Where this declines, so did the forward of the same x (the same memory and geometry): its patches are there.
    if (implicitRuns(g) && wasmImplicitFilterGradient(x, dy, dfilter, patches, g)) return;
    if (!ready) im2col(x, patches, g);
    gemm(patches, dy, dfilter, tapsOf(g), pixelsOf(g), g[6], true, false);
  },
};
