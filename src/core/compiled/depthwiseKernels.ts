/**
 * Depthwise 2-D convolutions (NHWC, filters [fh, fw, in, multiplier]) and their two gradients as
 * direct loops: output channel k = c·multiplier + q reads input channel c only, so a filter tap's
 * weights for every output channel are the filter's row (fy, fx), out[k] += x[c(k)]·w[k]. Sums are
 * float64, rounded once when stored (TensorFlow.js's cpu forward rounds after every add: the tests
 * hold the two to 1e-5 relative). Scratch sums are grown once and reused: no allocation per call.
 * The program calls them by name (standaloneKernels.ts).
 */
import type { ConvGeometry } from './convKernels';

let sums = new Float64Array(64);

function zeroedSums(n: number): Float64Array {
  if (sums.length < n) sums = new Float64Array(n);
  sums.fill(0, 0, n);
  return sums;
}

/**
 * Calls tap(xBase, outBase, wBase) for every output pixel and filter tap inside the image: the
 * offsets of the input pixel's channel 0, the output pixel's channel 0 and the tap's filter row.
 */
function forEachTap(g: ConvGeometry, tap: (xBase: number, outBase: number, wBase: number) => void): void {
  const batch = g[0] | 0, inH = g[1] | 0, inW = g[2] | 0, inC = g[3] | 0, outH = g[4] | 0, outW = g[5] | 0, outC = g[6] | 0;
  const fh = g[7] | 0, fw = g[8] | 0, sh = g[9] | 0, sw = g[10] | 0, dh = g[11] | 0, dw = g[12] | 0, top = g[13] | 0, left = g[14] | 0;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const outBase = ((b * outH + oy) * outW + ox) * outC;
        for (let fy = 0; fy < fh; fy++) {
          const iy = oy * sh - top + fy * dh;
          if (iy < 0 || iy >= inH) continue;
          for (let fx = 0; fx < fw; fx++) {
            const ix = ox * sw - left + fx * dw;
            if (ix < 0 || ix >= inW) continue;
            tap(((b * inH + iy) * inW + ix) * inC, outBase, (fy * fw + fx) * outC);
          }
        }
      }
    }
  }
}

const multiplierOf = (g: ConvGeometry) => (g[6] / g[3]) | 0;

export const DEPTHWISE_KERNELS = {
  /** tf.depthwiseConv2d: out[b, y, x, c·m + q] = Σ over taps of x[b, y', x', c] · filter[fy, fx, c, q]. */
  depthwiseConv2d(x: Float32Array, filter: Float32Array, out: Float32Array, g: ConvGeometry): void {
    const outC = g[6] | 0, m = multiplierOf(g);
    const acc = zeroedSums(out.length);
    forEachTap(g, (xBase, outBase, wBase) => {
      if (m === 1) for (let k = 0; k < outC; k++) acc[outBase + k] += x[xBase + k] * filter[wBase + k];
      else for (let k = 0; k < outC; k++) acc[outBase + k] += x[xBase + ((k / m) | 0)] * filter[wBase + k];
    });
    for (let i = 0; i < out.length; i++) out[i] = acc[i];
  },

  /** DepthwiseConv2dNativeBackpropInput: each output's upstream gradient times the tap's weight, summed into the input it read. */
  depthwiseConv2dBackpropInput(dy: Float32Array, filter: Float32Array, dx: Float32Array, g: ConvGeometry): void {
    const outC = g[6] | 0, m = multiplierOf(g);
    const acc = zeroedSums(dx.length);
    forEachTap(g, (xBase, outBase, wBase) => {
      if (m === 1) for (let k = 0; k < outC; k++) acc[xBase + k] += dy[outBase + k] * filter[wBase + k];
      else for (let k = 0; k < outC; k++) acc[xBase + ((k / m) | 0)] += dy[outBase + k] * filter[wBase + k];
    });
    for (let i = 0; i < dx.length; i++) dx[i] = acc[i];
  },

  /** DepthwiseConv2dNativeBackpropFilter: dfilter[fy, fx, c, q] = Σ over pixels of x[b, y', x', c] · dy[b, y, x, c·m + q]. */
  depthwiseConv2dBackpropFilter(x: Float32Array, dy: Float32Array, dfilter: Float32Array, g: ConvGeometry): void {
    const outC = g[6] | 0, m = multiplierOf(g);
    const acc = zeroedSums(dfilter.length);
    forEachTap(g, (xBase, outBase, wBase) => {
      if (m === 1) for (let k = 0; k < outC; k++) acc[wBase + k] += x[xBase + k] * dy[outBase + k];
      else for (let k = 0; k < outC; k++) acc[wBase + k] += x[xBase + ((k / m) | 0)] * dy[outBase + k];
    });
    for (let i = 0; i < dfilter.length; i++) dfilter[i] = acc[i];
  },
};
