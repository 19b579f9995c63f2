import * as tf from '@tensorflow/tfjs';
import { geometryOfInfo, PATCH_KERNELS, patchesFloats, type ConvGeometry } from '../compiled/convKernels';
import { wasmPatchesOn } from '../compiled/wasmPatches';
import { wasmTransposeOn } from '../compiled/wasmTranspose';
import { im2colTransposed } from './patchesTransposed';
import { heapMemoryOf } from './wasmHeapMemory';
import type { Conv2DBackpropFilterAttrs } from './wasmKernels';

/**
 * conv2d's two gradients for the wasm backend as the backend's own product and patch gathers on the
 * backend's heap: the compiled path's WebAssembly im2col and col2im (wasmPatches.ts, run on the heap's
 * memory), or where that memory is not to be had, their JS forms (col2im, and im2col written transposed):
 * - filter: dW[taps, out] = patches(x)ᵀ[taps, pixels] · dy[pixels, out], the patches gathered then
 *   transposed in WebAssembly (wasmTranspose.ts), or gathered already transposed in JS (patchesTransposed.ts):
 *   the product's operands the same numbers either way. TF.js 4.22's wasm backend has
 *   no such kernel; wasmKernels.ts registers a plain-JS loop over every tap, pixel and channel.
 * - input: dx = col2im(dy[pixels, out] · Wᵀ[out, taps]). The backend's Conv2DBackpropInput is a direct
 *   loop that ran at about a tenth of its product's speed (half of a CNN's value and gradient on tensors,
 *   and so of every trace the compiler checks against).
 * The products are the registered BatchMatMul's (the input's after fastWasmMatMul.ts' transpose of
 * the filter): the same sums in another order than the kernels replaced, float32 rounding may differ in
 * the last bits. NCHW, dilations and non-float32 tensors go to the kernels they replace.
 */

interface WasmHeapBackend {
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  disposeData(dataId: unknown): void;
}

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
    const patchesT = patchesTransposedOf(wasm, x, geometry, pixels, taps);
    try {
      const product = matMul(args.backend, patchesT, { dataId: dy.dataId, shape: [pixels, info.outChannels], dtype: 'float32' }, false, false);
      return { dataId: product.dataId, shape: [...attrs.filterShape], dtype: 'float32' };
    } finally {
      wasm.disposeData(patchesT.dataId);
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
  replace(filterKernel, filterGradient);
  replace(inputKernel, inputGradient);
}

function replace(previous: tf.KernelConfig, kernelFunc: tf.KernelFunc): void {
  tf.unregisterKernel(previous.kernelName, 'wasm');
  tf.registerKernel({ ...previous, kernelFunc });
}

const heapOf = (wasm: WasmHeapBackend, t: tf.TensorInfo) => wasm.typedArrayFromHeap(t) as Float32Array;

/**
 * x's patches transposed, [taps, pixels], in a new tensor: gathered by the WebAssembly im2col into a
 * scratch tensor (with its room for a padded image, convKernels.patchesFloats) then transposed on the
 * heap (stride 2, 16 channels: 0.26 ms against the JS gather's 0.47; one channel 0.05 against 0.17);
 * else gathered transposed in JS.
 */
function patchesTransposedOf(wasm: WasmHeapBackend, x: tf.TensorInfo, g: ConvGeometry, pixels: number, taps: number): tf.TensorInfo {
  const patchesT = wasm.makeOutput([taps, pixels], 'float32');
  const memory = heapMemoryOf(wasm);
  if (memory && pixels * taps > 0) {
    const scratch = wasm.makeOutput([patchesFloats(g)], 'float32');
    try {
      // After both makeOutputs: the heap may have grown, which detaches earlier views.
      const patches = heapOf(wasm, scratch);
      if (wasmPatchesOn(memory, 'im2col', heapOf(wasm, x), patches, g)
        && wasmTransposeOn(memory, patches.subarray(0, pixels * taps), pixels, taps, heapOf(wasm, patchesT))) return patchesT;
    } finally {
      wasm.disposeData(scratch.dataId);
    }
  }
  im2colTransposed(heapOf(wasm, x), heapOf(wasm, patchesT), g);
  return patchesT;
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

function sizesOf(info: tf.backend_util.Conv2DInfo): { pixels: number; taps: number; geometry: number[] } {
  const fresh = geometryOfInfo(info);
  const key = fresh.join(',');
  let geometry = geometries.get(key);
  if (!geometry) {
    if (geometries.size >= GEOMETRIES_MAX) geometries.clear();
    geometries.set(key, (geometry = fresh));
  }
  return { pixels: info.batchSize * info.outHeight * info.outWidth, taps: info.filterHeight * info.filterWidth * info.inChannels, geometry };
}
