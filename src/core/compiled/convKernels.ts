/**
 * 2-D convolutions (NHWC, filters [fh, fw, in, out]) and their two gradients as im2col + matrix
 * products: the patches of the input (one row per output pixel, one column per filter tap and input
 * channel) times the filter, which is already the [taps·in, out] matrix the product needs. The
 * patches live in a scratch buffer the program allocates once (no allocation per run); the products
 * are `gemm` (gemmKernels.ts: WebAssembly SIMD when every array is in one WebAssembly memory).
 */
import { gemm } from './gemmKernels';
import { PATCH_MAP_MAX, patchSources } from './patchMaps';
import { BULK_RUN_MIN, adderFor, sharedHeap } from './patchRuns';
import { stridedRunsFor, type StridedRuns } from './stridedRuns';

/**
 * A convolution's geometry: batch, input height, width, channels, output height, width, channels,
 * filter height, width, strides, dilations, and the padding before the first row and column
 * (tfjs's computeConv2DInfo decides them). Calls get it as a constant buffer of the program.
 */
export type ConvGeometry = Float32Array | readonly number[];

/**
 * patches[(b, oy, ox), (fy, fx, c)] = x[b, oy·sh − top + fy·dh, ox·sw − left + fx·dw, c], 0 outside.
 * Without dilation along the width, a filter row inside the image is fw·inC consecutive inputs:
 * one run copied at once (the per-tap loop is only for windows over the edge).
 */
function im2col(x: Float32Array, patches: Float32Array, g: ConvGeometry): void {
  const batch = g[0] | 0, inH = g[1] | 0, inW = g[2] | 0, inC = g[3] | 0, outH = g[4] | 0, outW = g[5] | 0;
  const fh = g[7] | 0, fw = g[8] | 0, sh = g[9] | 0, sw = g[10] | 0, dh = g[11] | 0, dw = g[12] | 0, top = g[13] | 0, left = g[14] | 0;
  const span = fw * inC;
  if (span < BULK_RUN_MIN && patches.length <= PATCH_MAP_MAX) {
    // Short runs: a gather through the geometry's index map (patchMaps.ts).
    const sources = patchSources(g);
    for (let i = 0; i < sources.length; i++) patches[i] = sources[i] < 0 ? 0 : x[sources[i]];
    return;
  }
  // Long runs inside one WebAssembly memory: a row of the image's runs per call (stridedRuns.ts).
  const copyRuns = span >= BULK_RUN_MIN && dw === 1 && x.buffer === patches.buffer ? stridedRunsFor(x, 'copy') : undefined;
  if (copyRuns) return byImageRows(x, patches, g, copyRuns, true);
  const heap = span >= BULK_RUN_MIN ? sharedHeap(x, patches) : undefined;
  const xAt = x.byteOffset >> 2, patchesAt = patches.byteOffset >> 2;
  let dst = 0;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * sw - left;
        const inside = dw === 1 && x0 >= 0 && x0 + fw <= inW;
        for (let fy = 0; fy < fh; fy++, dst += span) {
          const y = oy * sh - top + fy * dh;
          if (y < 0 || y >= inH) {
            for (let t = 0; t < span; t++) patches[dst + t] = 0;
            continue;
          }
          const rowStart = (b * inH + y) * inW;
          if (inside) {
            const src = (rowStart + x0) * inC;
            if (heap) heap.copyWithin(patchesAt + dst, xAt + src, xAt + src + span);
            else for (let t = 0; t < span; t++) patches[dst + t] = x[src + t];
            continue;
          }
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

/** The adjoint of im2col: dx[b, y, x, c] = Σ of the patch entries that read it (the same runs, added). */
function col2im(patches: Float32Array, dx: Float32Array, g: ConvGeometry): void {
  const batch = g[0] | 0, inH = g[1] | 0, inW = g[2] | 0, inC = g[3] | 0, outH = g[4] | 0, outW = g[5] | 0;
  const fh = g[7] | 0, fw = g[8] | 0, sh = g[9] | 0, sw = g[10] | 0, dh = g[11] | 0, dw = g[12] | 0, top = g[13] | 0, left = g[14] | 0;
  const span = fw * inC;
  // Long runs inside one WebAssembly memory: a row of the image's runs per call (stridedRuns.ts), else a SIMD add each (patchRuns.ts).
  const addRuns = span >= BULK_RUN_MIN && dw === 1 && dx.buffer === patches.buffer ? stridedRunsFor(dx, 'add') : undefined;
  const addRun = span >= BULK_RUN_MIN && dx.buffer === patches.buffer ? adderFor(dx) : undefined;
  dx.fill(0);
  if (addRuns) return byImageRows(dx, patches, g, addRuns, false);
  if (span < BULK_RUN_MIN && patches.length <= PATCH_MAP_MAX) {
    // Short runs: the patch entries added in patch order, as the loops below add them.
    const sources = patchSources(g);
    for (let i = 0; i < sources.length; i++) if (sources[i] >= 0) dx[sources[i]] += patches[i];
    return;
  }
  let src = 0;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * sw - left;
        const inside = dw === 1 && x0 >= 0 && x0 + fw <= inW;
        for (let fy = 0; fy < fh; fy++, src += span) {
          const y = oy * sh - top + fy * dh;
          if (y < 0 || y >= inH) continue;
          const rowStart = (b * inH + y) * inW;
          if (inside) {
            const dst = (rowStart + x0) * inC;
            if (addRun) addRun(dx.byteOffset + 4 * dst, patches.byteOffset + 4 * src, 4 * span);
            else for (let t = 0; t < span; t++) dx[dst + t] += patches[src + t];
            continue;
          }
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
 * im2col (runs copies x into patches) or col2im (runs adds patches into dx) with the runs of one filter row
 * for every output pixel of an image row inside the image in one call, the pixels at the edges tap by tap.
 * For col2im the order of additions into each element is the loops' above: an element of dx is reached from
 * output row oy by one filter row only, and within it pixel by pixel in order. Dilation 1 along the width.
 */
function byImageRows(image: Float32Array, patches: Float32Array, g: ConvGeometry, runs: StridedRuns, copy: boolean): void {
  const batch = g[0] | 0, inH = g[1] | 0, inW = g[2] | 0, inC = g[3] | 0, outH = g[4] | 0, outW = g[5] | 0;
  const fh = g[7] | 0, fw = g[8] | 0, sh = g[9] | 0, sw = g[10] | 0, dh = g[11] | 0, top = g[13] | 0, left = g[14] | 0;
  const span = fw * inC;
  const row = fh * span;
  // Output pixels whose window is inside the image along the width: ox·sw − left ≥ 0 and ox·sw − left + fw ≤ inW.
  const first = Math.min(outW, Math.max(0, Math.ceil(left / sw)));
  const last = Math.min(outW - 1, Math.floor((inW - fw + left) / sw));
  // A pixel at an edge: its taps inside the image are one run too (fx in [lo, hi)), the rest zeros (copy) or nothing (add).
  const edge = (at: number, rowStart: number, ox: number) => {
    const x0 = ox * sw - left;
    const lo = Math.max(0, -x0) * inC;
    const hi = Math.max(lo, Math.min(fw, inW - x0) * inC);
    const from = (rowStart + x0) * inC;
    if (copy) {
      patches.fill(0, at, at + lo);
      for (let j = lo; j < hi; j++) patches[at + j] = image[from + j];
      patches.fill(0, at + hi, at + span);
    } else {
      for (let j = lo; j < hi; j++) image[from + j] += patches[at + j];
    }
  };
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const pixel0 = (b * outH + oy) * outW;
      for (let fy = 0; fy < fh; fy++) {
        const y = oy * sh - top + fy * dh;
        if (y < 0 || y >= inH) {
          if (copy) for (let ox = 0; ox < outW; ox++) patches.fill(0, (pixel0 + ox) * row + fy * span, (pixel0 + ox) * row + (fy + 1) * span);
          continue;
        }
        const rowStart = (b * inH + y) * inW;
        for (let ox = 0; ox < Math.min(first, outW); ox++) edge((pixel0 + ox) * row + fy * span, rowStart, ox);
        if (last >= first) {
          const patchAt = patches.byteOffset + 4 * ((pixel0 + first) * row + fy * span);
          const imageAt = image.byteOffset + 4 * (rowStart + first * sw - left) * inC;
          if (copy) runs(patchAt, imageAt, 4 * span, last - first + 1, 4 * row, 4 * sw * inC);
          else runs(imageAt, patchAt, 4 * span, last - first + 1, 4 * sw * inC, 4 * row);
        }
        for (let ox = Math.max(last + 1, first); ox < outW; ox++) edge((pixel0 + ox) * row + fy * span, rowStart, ox);
      }
    }
  }
}

/** The patch gathers on their own, for the tests that hold the WebAssembly runs to the JS loops' bits. */
export const PATCH_KERNELS = { im2col, col2im };

const pixelsOf = (g: ConvGeometry) => g[0] * g[4] * g[5];
const tapsOf = (g: ConvGeometry) => g[7] * g[8] * g[3];

export const CONV_KERNELS = {
  /** tf.conv2d: out[pixels, outC] = patches(x)[pixels, taps] · filter[taps, outC]. */
  conv2d(x: Float32Array, filter: Float32Array, out: Float32Array, patches: Float32Array, g: ConvGeometry): void {
    im2col(x, patches, g);
    gemm(patches, filter, out, pixelsOf(g), tapsOf(g), g[6], false, false);
  },

  /**
   * Conv2DBackpropInput: dx = col2im(dy[pixels, outC] · filterᵀ[outC, taps]); the filter is transposed
   * into `filterT` first (it is small), so the product reads rows of both operands.
   */
  conv2dBackpropInput(dy: Float32Array, filter: Float32Array, dx: Float32Array, patches: Float32Array, filterT: Float32Array, g: ConvGeometry): void {
    const taps = tapsOf(g);
    const outC = g[6];
    for (let t = 0; t < taps; t++) for (let o = 0; o < outC; o++) filterT[o * taps + t] = filter[t * outC + o];
    gemm(dy, filterT, patches, pixelsOf(g), outC, taps, false, false);
    col2im(patches, dx, g);
  },

  /**
   * Conv2DBackpropFilter: dfilter[taps, outC] = patches(x)ᵀ[taps, pixels] · dy[pixels, outC]. `ready`:
   * the forward convolution of the same x already left its patches there.
   */
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dfilter: Float32Array, patches: Float32Array, ready: boolean, g: ConvGeometry): void {
    if (!ready) im2col(x, patches, g);
    gemm(patches, dy, dfilter, tapsOf(g), pixelsOf(g), g[6], true, false);
  },
};
