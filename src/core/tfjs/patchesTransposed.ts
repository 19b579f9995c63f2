import type { ConvGeometry } from '../compiled/convKernels';

/**
 * im2col written transposed: patchesT[(fy, fx, c), (b, oy, ox)] = x[b, oy·sh − top + fy·dh, ox·sw − left + fx·dw, c],
 * 0 outside the image (convKernels.ts' im2col with rows and columns swapped). The conv filter gradient
 * (fastWasmConvGradients.ts) multiplies patchesᵀ · dy: written this way its product needs no transposed
 * operand, where im2col then the wasm backend's Transpose cost 0.66 + 0.91 ms for the bench CNN's second
 * layer ([2048, 144] patches) and this 0.48 ms. Moves values only: the same numbers as im2col's.
 * Four channels are gathered per read of x (one cache line), written to four rows of patchesT.
 */
export function im2colTransposed(x: Float32Array, patchesT: Float32Array, g: ConvGeometry): void {
  const batch = g[0] | 0, inH = g[1] | 0, inC = g[3] | 0, outH = g[4] | 0, outW = g[5] | 0;
  const fh = g[7] | 0, fw = g[8] | 0, sh = g[9] | 0, dh = g[11] | 0, top = g[13] | 0;
  const pixels = batch * outH * outW;
  for (let fy = 0; fy < fh; fy++) {
    for (let fx = 0; fx < fw; fx++) {
      const [lo, hi, shift] = columnsInside(g, fx);
      const rows = (fy * fw + fx) * inC * pixels;
      for (let b = 0, p = rows; b < batch; b++) {
        for (let oy = 0; oy < outH; oy++, p += outW) {
          const y = oy * sh - top + fy * dh;
          const inside = y >= 0 && y < inH && lo < hi;
          zeroOutside(patchesT, p, pixels, inC, outW, inside ? lo : outW, inside ? hi : outW);
          if (inside) gatherRow(x, patchesT, p, pixels, g, ((b * inH + y) * (g[2] | 0) + shift) * inC, lo, hi);
        }
      }
    }
  }
}

/** The output columns [lo, hi) whose filter column fx reads inside the image, and that column's offset. */
function columnsInside(g: ConvGeometry, fx: number): [number, number, number] {
  const inW = g[2] | 0, outW = g[5] | 0, sw = g[10] | 0, dw = g[12] | 0, left = g[14] | 0;
  const shift = fx * dw - left;
  let lo = 0;
  while (lo < outW && lo * sw + shift < 0) lo++;
  let hi = outW;
  while (hi > lo && (hi - 1) * sw + shift >= inW) hi--;
  return [lo, hi, shift];
}

/** Zeros in columns [0, lo) and [hi, outW) of one output row's run, in each channel's row (all of it when lo = outW). */
function zeroOutside(out: Float32Array, at: number, pixels: number, inC: number, outW: number, lo: number, hi: number): void {
  for (let c = 0, d = at; c < inC; c++, d += pixels) {
    for (let ox = 0; ox < lo; ox++) out[d + ox] = 0;
    for (let ox = hi; ox < outW; ox++) out[d + ox] = 0;
  }
}

/** Columns [lo, hi) of one output row's run: x read from `from` (the pixel before column 0's, in numbers) every sw pixels. */
function gatherRow(x: Float32Array, out: Float32Array, at: number, pixels: number, g: ConvGeometry, from: number, lo: number, hi: number): void {
  const inC = g[3] | 0;
  const step = (g[10] | 0) * inC;
  let c = 0;
  for (; c + 4 <= inC; c += 4) {
    const d = at + c * pixels;
    for (let ox = lo, s = from + lo * step + c; ox < hi; ox++, s += step) {
      out[d + ox] = x[s];
      out[d + pixels + ox] = x[s + 1];
      out[d + 2 * pixels + ox] = x[s + 2];
      out[d + 3 * pixels + ox] = x[s + 3];
    }
  }
  for (let d = at + c * pixels; c < inC; c++, d += pixels) {
    for (let ox = lo, s = from + lo * step + c; ox < hi; ox++, s += step) out[d + ox] = x[s];
  }
}
