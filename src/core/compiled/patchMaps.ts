/**
 * im2col's source index of every patch entry, for convolutions whose runs are too short to copy in
 * bulk (convKernels.ts: a single-channel image's filter row is 3 numbers): the per-tap loops with
 * their edge tests cost more than the copies, so the geometry is walked once and later calls are a
 * gather (im2col) or a scatter-add in the same order (col2im, the same float32 roundings).
 */
import type { ConvGeometry } from './convKernels';

interface Entry {
  readonly geometry: Float64Array;
  readonly sources: Int32Array;
}

/** By the call's geometry buffer (a program constant); its numbers are compared before an entry is used. */
const maps = new WeakMap<object, Entry>();

/** Entries over this many patch numbers are not kept (the index map costs as much memory as the patches). */
export const PATCH_MAP_MAX = 1 << 24;

const sameGeometry = (a: Float64Array, g: ConvGeometry) => a.length === g.length && a.every((v, i) => v === g[i]);

/** sources[i] = the input index patch entry i reads, −1 where it reads padding. */
export function patchSources(g: ConvGeometry): Int32Array {
  const cached = maps.get(g);
  if (cached && sameGeometry(cached.geometry, g)) return cached.sources;
  const sources = buildSources(g);
  maps.set(g, { geometry: Float64Array.from(g), sources });
  return sources;
}

function buildSources(g: ConvGeometry): Int32Array {
  const batch = g[0] | 0, inH = g[1] | 0, inW = g[2] | 0, inC = g[3] | 0, outH = g[4] | 0, outW = g[5] | 0;
  const fh = g[7] | 0, fw = g[8] | 0, sh = g[9] | 0, sw = g[10] | 0, dh = g[11] | 0, dw = g[12] | 0, top = g[13] | 0, left = g[14] | 0;
  const sources = new Int32Array(batch * outH * outW * fh * fw * inC);
  let dst = 0;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        for (let fy = 0; fy < fh; fy++) {
          const y = oy * sh - top + fy * dh;
          for (let fx = 0; fx < fw; fx++) {
            const xx = ox * sw - left + fx * dw;
            const outside = y < 0 || y >= inH || xx < 0 || xx >= inW;
            const src = ((b * inH + y) * inW + xx) * inC;
            for (let c = 0; c < inC; c++) sources[dst++] = outside ? -1 : src + c;
          }
        }
      }
    }
  }
  return sources;
}
