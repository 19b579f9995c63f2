/**
 * A convolution and its filter gradient as products that read the image where it is (implicit im2col): row
 * (b, oy, ox) of the patches is, for each filter row fy, one run of fw·inC numbers of the image starting at
 * pixel (oy·sh + fy, ox·sw), so the product's blocks read those runs in place instead of a patches buffer
 * im2col wrote first (1.2 MB for the cnn bench's second layer, read again by the filter gradient). Windows that
 * reach into the padding read only their part inside the image (implicitConvEmit.ts says why the bits are those
 * of the zero-padded patches). Same blocks as gemmWasm.ts: 2 pixels × 16 channels in the forward, 2 taps × 16
 * channels in the filter gradient, float32x4 accumulators over the taps (forward) or the pixels (gradient, an
 * image at a time, so its rows stay in cache while every block runs over them), each term added in the order the
 * patches' product adds it, and the forward's bias and relu applied as gemm's epilogue applies them.
 * Applies with dilation 1 and outC a multiple of 4; a module per geometry and fusing (kernelsOn.ts).
 */
import { kernelsOn } from '../wasm/kernelsOn';
import { wasmSimdSupported } from '../wasm/loopModule';
import type { ConvGeometry } from './convKernels';
import { emitPadImage } from './emitPatches';
import { EPILOGUE_BIAS, EPILOGUE_RELU } from './gemmWasm';
import { fusedProducts, memoryOfAll } from './gemmKernels';
import { emitFilterGradient, emitForward, emitPaddedFilterGradient } from './implicitConvEmit';

/**
 * How the filter gradient reads the windows: in the image itself (even inC: two channels of one tap per block), or
 * with an odd inC, whose tap pairs straddle filter columns, in a zero-bordered copy (rows × cols pixels from −top,
 * −left) when the windows reach into the padding.
 */
interface ImagePlan { readonly padded: boolean; readonly rows: number; readonly cols: number }

/** The plan, or undefined where these kernels do not apply (dilation ≠ 1, output channels not a multiple of 4). */
export function implicitPlan(g: ConvGeometry): ImagePlan | undefined {
  const [, inH, inW, inC, outH, outW, outC, fh, fw, sh, sw, dh, dw, top, left] = Array.from(g, (v) => v | 0);
  if (dh !== 1 || dw !== 1 || outC % 4 !== 0 || inC === 0 || outC === 0) return undefined;
  const rows = (outH - 1) * sh + fh;
  const cols = (outW - 1) * sw + fw;
  const inside = top === 0 && left === 0 && rows <= inH && cols <= inW;
  return inside || inC % 2 === 0 ? { padded: false, rows: inH, cols: inW } : { padded: true, rows, cols };
}

/** Numbers of the zero-bordered images the filter gradient reads (0 when it reads the image, or without a plan). */
export function implicitScratchFloats(g: ConvGeometry): number {
  const plan = implicitPlan(g);
  return plan?.padded ? (g[0] | 0) * plan.rows * plan.cols * (g[3] | 0) : 0;
}

type Forward = (image: number, filter: number, out: number, bias: number, epilogue: number) => void;
type FilterGradient = (image: number, dy: number, dfilter: number) => void;
type Pad = (image: number, padded: number) => void;
interface Functions { readonly plan: ImagePlan; readonly scratchFloats: number; readonly pad?: Pad; readonly forward: Forward; readonly filterGradient: FilterGradient }

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
    { name: 'forward', code: emitForward(geometry, fused) },
    { name: 'filterGradient', code: plan.padded ? emitPaddedFilterGradient(geometry, plan.rows, plan.cols, fused) : emitFilterGradient(geometry, fused) },
    ...(plan.padded ? [{ name: 'pad', code: emitPadImage([batch, inH, inW, inC, 0, 0, 0, 0, 0, 0, 0, 0, top, left], plan.rows, plan.cols) }] : []),
  ]);
  const pad = plan.padded ? (exports.pad as Pad) : undefined;
  const fns = { plan, scratchFloats: implicitScratchFloats(g), pad, forward: exports.forward as Forward, filterGradient: exports.filterGradient as FilterGradient };
  specialized.set(g, { geometry: Float64Array.from(g), memory, fused, fns });
  return fns;
}

/**
 * out[pixels, outC] = conv2d(x, filter), then bias and relu as gemm's epilogue, when every array is a view of one
 * registered program memory, SIMD is there and the geometry has a plan; false (nothing written) otherwise.
 */
export function wasmImplicitConv(x: Float32Array, filter: Float32Array, out: Float32Array, g: ConvGeometry, bias?: Float32Array, relu = false): boolean {
  const memory = bias ? memoryOfAll(x, filter, out, bias) : memoryOfAll(x, filter, out);
  const fns = memory && wasmSimdSupported() ? functionsFor(memory, g) : undefined;
  if (!fns) return false;
  const bits = (bias ? EPILOGUE_BIAS : 0) | (relu ? EPILOGUE_RELU : 0);
  fns.forward(x.byteOffset, filter.byteOffset, out.byteOffset, bias?.byteOffset ?? 0, bits);
  return true;
}

/**
 * dfilter[taps, outC] = Σ over pixels of the windows · dy, as wasmImplicitConv applies (`scratch` holds the
 * zero-bordered images where the plan reads them: implicitScratchFloats).
 */
export function wasmImplicitFilterGradient(x: Float32Array, dy: Float32Array, dfilter: Float32Array, scratch: Float32Array, g: ConvGeometry): boolean {
  const memory = memoryOfAll(x, dy, dfilter, scratch);
  const fns = memory && wasmSimdSupported() ? functionsFor(memory, g) : undefined;
  if (!fns || scratch.length < fns.scratchFloats) return false;
  if (fns.pad) fns.pad(x.byteOffset, scratch.byteOffset);
  fns.filterGradient(fns.pad ? scratch.byteOffset : x.byteOffset, dy.byteOffset, dfilter.byteOffset);
  return true;
}
