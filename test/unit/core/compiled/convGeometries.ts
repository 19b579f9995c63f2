/**
 * Convolution geometries as the kernel tests write them (sizes and padding on each side) and the ConvGeometry the
 * kernels take (convKernels.ts: tfjs's computeConv2DInfo's numbers), with the tests' inputs and bit views.
 */
export interface Geometry { batch: number; inH: number; inW: number; inC: number; outC: number; fh: number; fw: number; sh: number; sw: number; top: number; bottom: number; left: number; right: number }

/** Batch 2, stride 1, no padding: each test geometry spreads this and sets the rest. */
export const base = { batch: 2, sh: 1, sw: 1, top: 0, bottom: 0, left: 0, right: 0 };

/** [batch, inH, inW, inC, outH, outW, outC, fh, fw, sh, sw, dh, dw, top, left] with dilation 1. */
export function geometryOf(g: Geometry): number[] {
  const outH = Math.floor((g.inH + g.top + g.bottom - g.fh) / g.sh) + 1;
  const outW = Math.floor((g.inW + g.left + g.right - g.fw) / g.sw) + 1;
  return [g.batch, g.inH, g.inW, g.inC, outH, outW, g.outC, g.fh, g.fw, g.sh, g.sw, 1, 1, g.top, g.left];
}

/** n smooth values of mixed signs with low-order bits set (seed picks the phase). */
export const values = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed + i * 0.37) * 3 + 1e-3 * Math.cos(i));

/** The float32 values' bits, to compare arrays bit for bit. */
export const bits = (a: Float32Array) => new Int32Array(a.slice().buffer);
