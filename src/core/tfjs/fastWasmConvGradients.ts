import * as tf from '@tensorflow/tfjs';
import { geometryOfInfo, PATCH_KERNELS, patchesFloats, type ConvGeometry } from '../compiled/convKernels';
import { wasmPatchesOn } from '../compiled/wasmPatches';
import { heapAddress, heapGemm, heapProductMemory } from './heapGemm';
import { replaceWasmKernel, type WasmHeapBackend } from './wasmKernelSwap';
import { heapMemoryOf } from './wasmHeapMemory';
import type { Conv2DBackpropFilterAttrs } from './wasmKernels';

/**
 * conv2d's two gradients for the wasm backend as products and patch gathers on the backend's heap: the
 * compiled path's WebAssembly im2col and col2im (wasmPatches.ts) and product kernel (heapGemm.ts, the
 * same module on the heap's memory), or where that memory is not to be had, the JS gathers around the
 * registered product:
 * - filter: dW[taps, out] = patches(x)ᵀ[taps, pixels] · dy[pixels, out], the patches gathered by im2col
 *   and read transposed by the product's strides (free in our kernel; the stock product transposes them
 *   first, fastWasmMatMul.ts). TF.js 4.22's wasm backend has no such kernel; wasmKernels.ts registers a
 *   plain-JS loop over every tap, pixel and channel.
 * - input: dx = col2im(dy[pixels, out] · Wᵀ[out, taps]), the product the registered BatchMatMul's
 *   (fastWasmMatMul.ts: our kernel after the stock transpose of the filter). The backend's
 *   Conv2DBackpropInput is a direct loop that ran at about a tenth of its product's speed.
 * On the heap the products' bits are our kernel's, not XNNPACK's: the same sums in another order than the
 * kernels replaced, float32 rounding may differ in the last bits. NCHW, dilations and non-float32 tensors
 * go to the kernels they replace.
 */

type Shape4 = [number, number, number, number];

interface Conv2DBackpropInputAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: Shape4;
}

let installed = false;

/** After registerMissingWasmKernels (the filter kernel this one falls back to) and installFastWasmMatMul. */
export function installFastWasmConvGradients(): void {
  if (installed) return;
  const filterKernel = tf.getKernel('Conv2DBackpropFilter', 'wasm');
  const inputKernel = tf.getKernel('Conv2DBackpropInput', 'wasm');
  if (!filterKernel || !inputKernel || !tf.getKernel('BatchMatMul', 'wasm')) return;
  installed = true;
  const filterGradient: tf.KernelFunc = (args) => {
    const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const attrs = args.attrs as unknown as Conv2DBackpropFilterAttrs;
    if (attrs.dataFormat !== 'NHWC' || x.dtype !== 'float32' || dy.dtype !== 'float32') return filterKernel.kernelFunc(args);
    const info = tf.backend_util.computeConv2DInfo(x.shape as Shape4, attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
    const wasm = args.backend as unknown as WasmHeapBackend;
    const { pixels, taps, geometry } = sizesOf(info);
    const memory = heapProductMemory(wasm);
    if (memory && pixels > 0) return filterOnHeap(wasm, memory, x, dy, geometry, attrs.filterShape);
    const patches = wasm.makeOutput([pixels, taps], 'float32');
    // After makeOutput: the heap may have grown, which detaches earlier views.
    PATCH_KERNELS.im2col(heapOf(wasm, x), heapOf(wasm, patches), geometry);
    try {
      const product = matMul(args.backend, patches, { dataId: dy.dataId, shape: [pixels, info.outChannels], dtype: 'float32' }, true, false);
      return { dataId: product.dataId, shape: [...attrs.filterShape], dtype: 'float32' };
    } finally {
      wasm.disposeData(patches.dataId);
    }
  };
  const inputGradient: tf.KernelFunc = (args) => {
    const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const attrs = args.attrs as unknown as Conv2DBackpropInputAttrs;
    if (attrs.dataFormat !== 'NHWC' || dy.dtype !== 'float32' || filter.dtype !== 'float32') return inputKernel.kernelFunc(args);
    const info = tf.backend_util.computeConv2DInfo(attrs.inputShape, filter.shape as Shape4, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
    const wasm = args.backend as unknown as WasmHeapBackend;
    const { pixels, taps, geometry } = sizesOf(info);
    const flatDy = { dataId: dy.dataId, shape: [pixels, info.outChannels], dtype: 'float32' as const };
    const flatFilter = { dataId: filter.dataId, shape: [taps, info.outChannels], dtype: 'float32' as const };
    const patches = matMul(args.backend, flatDy, flatFilter, false, true);
    try {
      const dx = wasm.makeOutput([...attrs.inputShape], 'float32');
      // After makeOutput: the heap may have grown, which detaches earlier views.
      const [patchValues, dxValues] = [heapOf(wasm, patches), heapOf(wasm, dx)];
      const memory = heapMemoryOf(wasm);
      if (!memory || !wasmPatchesOn(memory, 'col2im', dxValues, patchValues, geometry)) PATCH_KERNELS.col2im(patchValues, dxValues, geometry);
      return dx;
    } finally {
      wasm.disposeData(patches.dataId);
    }
  };
  replaceWasmKernel('Conv2DBackpropFilter', () => filterGradient);
  replaceWasmKernel('Conv2DBackpropInput', () => inputGradient);
}

const heapOf = (wasm: WasmHeapBackend, t: tf.TensorInfo) => wasm.typedArrayFromHeap(t) as Float32Array;

/**
 * dW = patchesᵀ · dy on the heap: x's patches gathered by the WebAssembly im2col into a scratch tensor (with
 * its room for a padded image, convKernels.patchesFloats), then our product reading them transposed.
 */
function filterOnHeap(wasm: WasmHeapBackend, memory: WebAssembly.Memory, x: tf.TensorInfo, dy: tf.TensorInfo, g: ConvGeometry, filterShape: Shape4): tf.TensorInfo {
  const [taps, outC, pixels] = [filterShape[0] * filterShape[1] * filterShape[2], filterShape[3], (g[0] | 0) * (g[4] | 0) * (g[5] | 0)];
  const out = wasm.makeOutput([...filterShape], 'float32');
  const scratch = wasm.makeOutput([patchesFloats(g)], 'float32');
  try {
    // After both makeOutputs: the heap may have grown, which detaches earlier views.
    const [image, patches] = [heapOf(wasm, x), heapOf(wasm, scratch)];
    if (!wasmPatchesOn(memory, 'im2col', image, patches, g)) PATCH_KERNELS.im2col(image, patches, g);
    heapGemm(memory, patches.byteOffset, heapAddress(wasm, dy), heapAddress(wasm, out), taps, pixels, outC, true);
    return out;
  } finally {
    wasm.disposeData(scratch.dataId);
  }
}

function matMul(backend: unknown, a: tf.TensorInfo, b: tf.TensorInfo, transposeA: boolean, transposeB: boolean): tf.TensorInfo {
  const kernel = tf.getKernel('BatchMatMul', 'wasm') as tf.KernelConfig;
  return kernel.kernelFunc({ inputs: { a, b }, backend: backend as object, attrs: { transposeA, transposeB } }) as tf.TensorInfo;
}

/**
 * One geometry array per geometry: the patch gathers keep an index map per geometry object (patchMaps.ts),
 * built once. Few shapes occur in a session; the cache is cleared past GEOMETRIES_MAX.
 */
const geometries = new Map<string, number[]>();
const GEOMETRIES_MAX = 64;

export function sizesOf(info: tf.backend_util.Conv2DInfo): { pixels: number; taps: number; geometry: number[] } {
  const fresh = geometryOfInfo(info);
  const key = fresh.join(',');
  let geometry = geometries.get(key);
  if (!geometry) {
    if (geometries.size >= GEOMETRIES_MAX) geometries.clear();
    geometries.set(key, (geometry = fresh));
  }
  return { pixels: info.batchSize * info.outHeight * info.outWidth, taps: info.filterHeight * info.filterWidth * info.inChannels, geometry };
}
