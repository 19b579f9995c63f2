/**
 * 2-D max and average pooling (NHWC) and their gradients, computed as TensorFlow.js's cpu kernels
 * compute them (pool, maxPoolPositions, maxPoolGrad, avgPoolGrad there): windows clipped to the
 * image, the first strictly largest element of a window is its maximum (NaN never is), an average
 * divides by the elements inside the image, its gradient by the whole window (tfjs's rule), and
 * every sum is float64, rounded once when stored. The program calls them by name (standaloneKernels.ts).
 */

/**
 * A pooling's geometry: batch, input height, width, channels, output height, width, window height,
 * width, strides, and the padding before the first row and column (tfjs's computePool2DInfo decides
 * them). Calls get it as a constant buffer of the program.
 */
export type PoolGeometry = Float32Array | readonly number[];

/** Gradient sums in float64 (grown when needed, reused: no allocation per call). */
let sums = new Float64Array(64);

function zeroedSums(n: number): Float64Array {
  if (sums.length < n) sums = new Float64Array(n);
  sums.fill(0, 0, n);
  return sums;
}

/** A window clipped to the image: rows [rowMin, rowMax), columns [colMin, colMax). */
type Visit = (out: number, base: number, rowMin: number, rowMax: number, colMin: number, colMax: number) => void;

/**
 * Calls visit(out, window) for every output element's window (clipped to the image), in output
 * order; `base` is the input offset of the window's batch and channel.
 */
function forEachWindow(g: PoolGeometry, visit: Visit): void {
  const batch = g[0] | 0, inH = g[1] | 0, inW = g[2] | 0, channels = g[3] | 0, outH = g[4] | 0, outW = g[5] | 0;
  const fh = g[6] | 0, fw = g[7] | 0, sh = g[8] | 0, sw = g[9] | 0, top = g[10] | 0, left = g[11] | 0;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const corner = oy * sh - top;
      const rowMin = Math.max(0, corner);
      const rowMax = Math.min(inH, corner + fh);
      for (let ox = 0; ox < outW; ox++) {
        const cornerX = ox * sw - left;
        const colMin = Math.max(0, cornerX);
        const colMax = Math.min(inW, cornerX + fw);
        const out = ((b * outH + oy) * outW + ox) * channels;
        for (let c = 0; c < channels; c++) visit(out + c, b * inH * inW * channels + c, rowMin, rowMax, colMin, colMax);
      }
    }
  }
}

/** The input index of the window's maximum (the first strictly largest), or −1 when none is above −∞. */
function argMax(x: Float32Array, base: number, rowMin: number, rowMax: number, colMin: number, colMax: number, inW: number, channels: number): number {
  let best = Number.NEGATIVE_INFINITY;
  let at = -1;
  for (let r = rowMin; r < rowMax; r++) {
    for (let col = colMin; col < colMax; col++) {
      const index = base + (r * inW + col) * channels;
      if (x[index] > best) {
        best = x[index];
        at = index;
      }
    }
  }
  return at;
}

export const POOL_KERNELS = {
  /** tf.maxPool: the largest element of each window (−∞ for a window with none above it). */
  maxPool(x: Float32Array, out: Float32Array, g: PoolGeometry): void {
    const inW = g[2] | 0, channels = g[3] | 0;
    forEachWindow(g, (o, base, rowMin, rowMax, colMin, colMax) => {
      const at = argMax(x, base, rowMin, rowMax, colMin, colMax, inW, channels);
      out[o] = at < 0 ? Number.NEGATIVE_INFINITY : x[at];
    });
  },

  /** MaxPoolGrad: each window's upstream gradient goes to its maximum's input element, summed. */
  maxPoolGrad(dy: Float32Array, x: Float32Array, dx: Float32Array, g: PoolGeometry): void {
    const inW = g[2] | 0, channels = g[3] | 0;
    const acc = zeroedSums(dx.length);
    forEachWindow(g, (o, base, rowMin, rowMax, colMin, colMax) => {
      const at = argMax(x, base, rowMin, rowMax, colMin, colMax, inW, channels);
      if (at >= 0) acc[at] += dy[o];
    });
    for (let i = 0; i < dx.length; i++) dx[i] = acc[i];
  },

  /**
   * MaxPoolGradGrad (src/core/tfjs/poolSecondOrder.ts): MaxPoolGrad's adjoint in its upstream gradient,
   * out[o] = grad[the input index of window o's maximum], 0 for a window without one.
   */
  maxPoolGradGrad(grad: Float32Array, x: Float32Array, out: Float32Array, g: PoolGeometry): void {
    const inW = g[2] | 0, channels = g[3] | 0;
    forEachWindow(g, (o, base, rowMin, rowMax, colMin, colMax) => {
      const at = argMax(x, base, rowMin, rowMax, colMin, colMax, inW, channels);
      out[o] = at < 0 ? 0 : grad[at];
    });
  },

  /** tf.avgPool: the mean of each window's elements inside the image. */
  avgPool(x: Float32Array, out: Float32Array, g: PoolGeometry): void {
    const inW = g[2] | 0, channels = g[3] | 0;
    forEachWindow(g, (o, base, rowMin, rowMax, colMin, colMax) => {
      let sum = 0;
      for (let r = rowMin; r < rowMax; r++) {
        for (let col = colMin; col < colMax; col++) sum += x[base + (r * inW + col) * channels];
      }
      out[o] = sum / ((rowMax - rowMin) * (colMax - colMin));
    });
  },

  /** AvgPoolGrad: each window's upstream gradient spread over its elements inside the image, over the whole window's size. */
  avgPoolGrad(dy: Float32Array, dx: Float32Array, g: PoolGeometry): void {
    const inW = g[2] | 0, channels = g[3] | 0;
    const acc = zeroedSums(dx.length);
    forEachWindow(g, (o, base, rowMin, rowMax, colMin, colMax) => {
      const value = dy[o];
      for (let r = rowMin; r < rowMax; r++) {
        for (let col = colMin; col < colMax; col++) acc[base + (r * inW + col) * channels] += value;
      }
    });
    const scale = 1 / (g[6] * g[7]);
    for (let i = 0; i < dx.length; i++) dx[i] = acc[i] * scale;
  },
};
