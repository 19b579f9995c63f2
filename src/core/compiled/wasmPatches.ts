/**
 * im2col and col2im (convKernels.ts) as one WebAssembly call per convolution over a compiled program's
 * memory: every image, output pixel, filter row, edge and padding row inside the module. The JS forms
 * cost a call per image row (stridedRuns) or an index-map gather per patch number (a single-channel
 * image's filter row is 3 numbers); bench/README.md, issue 20, has the figures.
 *
 * A module per geometry (its numbers are constants in the code, the runs of a pixel inside the image
 * straight-line float32x4 steps at fixed offsets), compiled once per session and instantiated per memory.
 * Both walk the patches in their order (batch, output row, output pixel, filter row, filter column), as
 * the JS loops do: col2im adds into each element of dx in the loops' order, one float32 addition each
 * (what the JS `dx[i] += p[i]` rounds to), so the sums have the JS loops' bits; im2col moves values only.
 * Where the padded images are small beside their patches (stride 1) and the patches buffer has room after
 * the patches, im2col copies them zero-padded there first and gathers every window as an interior one.
 * The same modules run on TensorFlow.js wasm backend's heap (wasmPatchesOn), an unshared memory: the
 * modules are keyed by the memory's sharing too (emitPatches.ts emits the code once for both).
 */
import { encodeModule, type MemorySharing } from '../wasm/binary';
import { wasmSimdSupported } from '../wasm/loopModule';
import type { ConvGeometry } from './convKernels';
import { emitPadImage, emitPatches, type PatchKind } from './emitPatches';
import { memoryOf } from './gemmKernels';

/** (image, patches) byte addresses: the geometry is in the module. */
type PatchCall = (image: number, patches: number) => void;

interface Specialized {
  readonly geometry: Float64Array;
  readonly memory: WebAssembly.Memory;
  readonly fns: Functions;
}

/** A geometry's functions; `padded`: the images padded first, then every pixel's window gathered as an interior one. */
interface Functions extends Record<PatchKind, PatchCall> {
  readonly padded?: { readonly at: number; readonly floats: number; readonly padImage: PatchCall; readonly im2col: PatchCall };
}
/** By the call's geometry buffer (a program constant); its numbers and memory are compared before use. */
const specialized = new WeakMap<object, Specialized>();
/** Modules by geometry and memory sharing, shared by the programs of a session (a module per convolution shape). */
const modules = new Map<string, WebAssembly.Module>();
const MODULES_MAX = 256;

/**
 * im2col(image, patches, g) or col2im(patches, image, g) in one call when both are views of one registered
 * program memory (gemmKernels.registerMemory) with SIMD; false (nothing done) otherwise. col2im sets the
 * image to zero, then adds.
 */
export function wasmPatches(kind: PatchKind, image: Float32Array, patches: Float32Array, g: ConvGeometry): boolean {
  const memory = memoryOf(image);
  if (!memory || memoryOf(patches) !== memory || !wasmSimdSupported()) return false;
  run(memory, kind, image, patches, g);
  return true;
}

/**
 * wasmPatches on a memory of the caller's (TensorFlow.js wasm backend's heap), shared or not, when both
 * views are of its current buffer (take them after the last allocation: growth replaces an unshared
 * memory's buffer) and SIMD is there; false (nothing done) otherwise.
 */
export function wasmPatchesOn(memory: WebAssembly.Memory, kind: PatchKind, image: Float32Array, patches: Float32Array, g: ConvGeometry): boolean {
  const buffer = memory.buffer;
  if (image.buffer !== buffer || patches.buffer !== buffer || !wasmSimdSupported()) return false;
  run(memory, kind, image, patches, g);
  return true;
}

function run(memory: WebAssembly.Memory, kind: PatchKind, image: Float32Array, patches: Float32Array, g: ConvGeometry): void {
  let entry = specialized.get(g);
  if (!entry || entry.memory !== memory || !entry.geometry.every((v, i) => v === g[i])) {
    entry = { geometry: Float64Array.from(g), memory, fns: instantiate(memory, g) };
    specialized.set(g, entry);
  }
  const padded = entry.fns.padded;
  if (kind === 'im2col' && padded && patches.length >= padded.at + padded.floats) {
    const paddedAt = patches.byteOffset + 4 * padded.at;
    padded.padImage(image.byteOffset, paddedAt);
    padded.im2col(paddedAt, patches.byteOffset);
    return;
  }
  entry.fns[kind](image.byteOffset, patches.byteOffset);
}

/**
 * Numbers of a zero-padded copy of the images that im2col makes first, in the patches buffer after the
 * patches (convKernels.patchesFloats), when the windows read padding and the copy is at most a quarter of
 * the patches (a single-channel first layer: its edge pixels' short runs cost more than the copy); else 0.
 * The padded image holds the rows and columns the windows read, from −top and −left on.
 */
export function paddedImageFloats(g: ConvGeometry): number {
  const { height, width } = paddedExtent(g);
  const [batch, inH, inW, inC, outH, outW, , fh, fw, , , , dw, top, left] = Array.from(g, (v) => v | 0);
  const readsPadding = top > 0 || left > 0 || height - top > inH || width - left > inW;
  if (dw !== 1 || !readsPadding || height <= top || width <= left) return 0;
  const floats = batch * height * width * inC;
  return 4 * floats <= batch * outH * outW * fh * fw * inC ? floats : 0;
}

/** Rows and columns the windows span, from −top and −left on. */
function paddedExtent(g: ConvGeometry): { height: number; width: number } {
  const [outH, outW, fh, fw, sh, sw, dh, dw] = [g[4], g[5], g[7], g[8], g[9], g[10], g[11], g[12]].map((v) => v | 0);
  return { height: (outH - 1) * sh + (fh - 1) * dh + 1, width: (outW - 1) * sw + (fw - 1) * dw + 1 };
}

/** The functions for this geometry over this memory (the module compiled once per geometry). */
function instantiate(memory: WebAssembly.Memory, g: ConvGeometry): Functions {
  const outW = g[5], fw = g[8], sw = g[10], left = g[14];
  // Output columns with ox·sw − left ≥ 0 and ox·sw − left + fw ≤ inW (dilation 1 along the width only).
  const first = g[12] === 1 ? Math.min(outW, Math.max(0, Math.ceil(left / sw))) : 0;
  const end = g[12] === 1 ? Math.max(first, Math.min(outW, Math.floor((g[2] - fw + left) / sw) + 1)) : 0;
  const geometry = [g[0], g[1], g[2], g[3], g[4], outW, g[7], fw, g[9], sw, g[11], g[12], g[13], left, first, end].map((v) => v | 0);
  const paddedFloats = paddedImageFloats(g);
  const { height, width } = paddedExtent(g);
  // The padded images' geometry: no padding, every window inside along the width.
  const paddedGeometry = [geometry[0], height, width, ...geometry.slice(3, 12), 0, 0, 0, outW];
  // A module links only to a memory of its import's sharing.
  const sharing: MemorySharing = memory.buffer instanceof SharedArrayBuffer ? 'shared' : 'unshared';
  const key = `${geometry.join(',')}${paddedFloats > 0 ? ' padded' : ''} ${sharing}`;
  let module = modules.get(key);
  if (!module) {
    if (modules.size >= MODULES_MAX) modules.clear();
    const paddedFunctions = paddedFloats > 0 ? [
      { name: 'padImage', code: emitPadImage(geometry, height, width) },
      { name: 'im2colPadded', code: emitPatches('im2col', paddedGeometry) },
    ] : [];
    module = new WebAssembly.Module(encodeModule([
      { name: 'im2col', code: emitPatches('im2col', geometry) },
      { name: 'col2im', code: emitPatches('col2im', geometry) },
      ...paddedFunctions,
    ], 1, [], sharing));
    modules.set(key, module);
  }
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const at = g[0] * g[4] * outW * g[7] * fw * g[3];
  const padded = paddedFloats > 0 ? { at, floats: paddedFloats, padImage: exports.padImage as PatchCall, im2col: exports.im2colPadded as PatchCall } : undefined;
  return { im2col: exports.im2col as PatchCall, col2im: exports.col2im as PatchCall, padded };
}
