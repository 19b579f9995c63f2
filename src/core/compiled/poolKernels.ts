/**
 * 2-D max and average pooling (NHWC) and their gradients, computed as TensorFlow.js's cpu kernels
 * compute them (pool, maxPoolPositions, maxPoolGrad, avgPoolGrad there): windows clipped to the
 * image, the first strictly largest element of a window is its maximum (NaN never is), an average
 * divides by the elements inside the image, its gradient by the whole window (tfjs's rule), and
 * every sum is float64, rounded once when stored. The program calls them by name (standaloneKernels.ts).
 *
 * The loops are written out per kernel, channels innermost (consecutive in memory): a callback per
 * output element cost the batch-norm CNN row (examples/smallCnn.ts) 40 % of its step.
 */

/**
 * A pooling's geometry: batch, input height, width, channels, output height, width, window height,
 * width, strides, and the padding before the first row and column (tfjs's computePool2DInfo decides
 * them). Calls get it as a constant buffer of the program.
 */
export type PoolGeometry = Float32Array | readonly number[];

import { memoryOf } from './gemmKernels';
import { wasmPoolFor } from './poolWasm';

/** Scratch reused from call to call (grown when needed: no allocation per call). */
let sums = new Float64Array(64);
let maxima = new Int32Array(64);
let best = new Float32Array(64);

function zeroedSums(n: number): Float64Array {
  if (sums.length < n) sums = new Float64Array(n);
  sums.fill(0, 0, n);
  return sums;
}

/** The window of one output pixel clipped to the image: rows [r0, r1), columns [c0, c1), and its output offset. */
interface Windows {
  readonly batch: number;
  readonly inH: number;
  readonly inW: number;
  readonly channels: number;
  readonly outH: number;
  readonly outW: number;
  readonly fh: number;
  readonly fw: number;
  readonly sh: number;
  readonly sw: number;
  readonly top: number;
  readonly left: number;
}

const windowsOf = (g: PoolGeometry): Windows => ({
  batch: g[0] | 0, inH: g[1] | 0, inW: g[2] | 0, channels: g[3] | 0, outH: g[4] | 0, outW: g[5] | 0,
  fh: g[6] | 0, fw: g[7] | 0, sh: g[8] | 0, sw: g[9] | 0, top: g[10] | 0, left: g[11] | 0,
});

/**
 * maxima[o] = the input index of output element o's maximum (the first strictly largest in row-major
 * window order), −1 when none is above −∞. Returns the reused array.
 */
function argMaxes(x: Float32Array, g: PoolGeometry): Int32Array {
  const w = windowsOf(g);
  const { inH, inW, channels: ch } = w;
  const outputs = w.batch * w.outH * w.outW * ch;
  if (maxima.length < outputs) maxima = new Int32Array(outputs);
  if (best.length < ch) best = new Float32Array(ch);
  const at = maxima;
  let o = 0;
  for (let b = 0; b < w.batch; b++) {
    const image = b * inH * inW * ch;
    for (let oy = 0; oy < w.outH; oy++) {
      const corner = oy * w.sh - w.top;
      const r0 = Math.max(0, corner), r1 = Math.min(inH, corner + w.fh);
      for (let ox = 0; ox < w.outW; ox++, o += ch) {
        const cornerX = ox * w.sw - w.left;
        const c0 = Math.max(0, cornerX), c1 = Math.min(inW, cornerX + w.fw);
        for (let c = 0; c < ch; c++) {
          best[c] = Number.NEGATIVE_INFINITY;
          at[o + c] = -1;
        }
        for (let r = r0; r < r1; r++) {
          for (let col = c0; col < c1; col++) {
            const pixel = image + (r * inW + col) * ch;
            for (let c = 0; c < ch; c++) {
              const v = x[pixel + c];
              if (v > best[c]) {
                best[c] = v;
                at[o + c] = pixel + c;
              }
            }
          }
        }
      }
    }
  }
  return at;
}

/** Windows that never overlap: every input element has at most one window, so its gradient is one term. */
const disjoint = (g: PoolGeometry) => g[8] >= g[6] && g[9] >= g[7];

/**
 * Σ over each output's clipped window of add(o, input index): the average pool's two kernels.
 * `visitAll` is called once per window (not per element), so its cost is small beside the loop.
 */
function windowSizes(g: PoolGeometry, each: (o: number, image: number, r0: number, r1: number, c0: number, c1: number) => void): void {
  const w = windowsOf(g);
  const ch = w.channels;
  let o = 0;
  for (let b = 0; b < w.batch; b++) {
    const image = b * w.inH * w.inW * ch;
    for (let oy = 0; oy < w.outH; oy++) {
      const corner = oy * w.sh - w.top;
      const r0 = Math.max(0, corner), r1 = Math.min(w.inH, corner + w.fh);
      for (let ox = 0; ox < w.outW; ox++, o += ch) {
        const cornerX = ox * w.sw - w.left;
        each(o, image, r0, r1, Math.max(0, cornerX), Math.min(w.inW, cornerX + w.fw));
      }
    }
  }
}

export const POOL_KERNELS = {
  /** tf.maxPool: the largest element of each window (−∞ for a window with none above it). */
  maxPool(x: Float32Array, out: Float32Array, g: PoolGeometry): void {
    const wasm = wasmPoolFor(x, out, g);
    if (wasm) {
      wasm.maxPool(x.byteOffset, out.byteOffset, 0);
      return;
    }
    const at = argMaxes(x, g);
    for (let o = 0; o < out.length; o++) out[o] = at[o] < 0 ? Number.NEGATIVE_INFINITY : x[at[o]];
  },

  /** MaxPoolGrad: each window's upstream gradient goes to its maximum's input element, summed. */
  maxPoolGrad(dy: Float32Array, x: Float32Array, dx: Float32Array, g: PoolGeometry): void {
    const wasm = disjoint(g) && memoryOf(dy) === memoryOf(x) ? wasmPoolFor(x, dx, g) : undefined;
    if (wasm) {
      // dx is zeroed in the module
      wasm.maxPoolGrad(x.byteOffset, dx.byteOffset, dy.byteOffset);
      return;
    }
    const at = argMaxes(x, g);
    if (disjoint(g)) {
      // One term per input element: float32 as it is, nothing to round.
      dx.fill(0);
      for (let o = 0; o < dy.length; o++) if (at[o] >= 0) dx[at[o]] = dy[o];
      return;
    }
    const acc = zeroedSums(dx.length);
    for (let o = 0; o < dy.length; o++) if (at[o] >= 0) acc[at[o]] += dy[o];
    for (let i = 0; i < dx.length; i++) dx[i] = acc[i];
  },

  /**
   * MaxPoolGradGrad (src/core/tfjs/poolSecondOrder.ts): MaxPoolGrad's adjoint in its upstream gradient,
   * out[o] = grad[the input index of window o's maximum], 0 for a window without one.
   */
  maxPoolGradGrad(grad: Float32Array, x: Float32Array, out: Float32Array, g: PoolGeometry): void {
    const at = argMaxes(x, g);
    for (let o = 0; o < out.length; o++) out[o] = at[o] < 0 ? 0 : grad[at[o]];
  },

  /** tf.avgPool: the mean of each window's elements inside the image. */
  avgPool(x: Float32Array, out: Float32Array, g: PoolGeometry): void {
    const inW = g[2] | 0, ch = g[3] | 0;
    windowSizes(g, (o, image, r0, r1, c0, c1) => {
      const count = (r1 - r0) * (c1 - c0);
      for (let c = 0; c < ch; c++) {
        let sum = 0;
        for (let r = r0; r < r1; r++) for (let col = c0; col < c1; col++) sum += x[image + (r * inW + col) * ch + c];
        out[o + c] = sum / count;
      }
    });
  },

  /** AvgPoolGrad: each window's upstream gradient spread over its elements inside the image, over the whole window's size. */
  avgPoolGrad(dy: Float32Array, dx: Float32Array, g: PoolGeometry): void {
    const inW = g[2] | 0, ch = g[3] | 0;
    const acc = zeroedSums(dx.length);
    windowSizes(g, (o, image, r0, r1, c0, c1) => {
      for (let r = r0; r < r1; r++) {
        for (let col = c0; col < c1; col++) {
          const pixel = image + (r * inW + col) * ch;
          for (let c = 0; c < ch; c++) acc[pixel + c] += dy[o + c];
        }
      }
    });
    const scale = 1 / (g[6] * g[7]);
    for (let i = 0; i < dx.length; i++) dx[i] = acc[i] * scale;
  },
};
