import * as tf from '@tensorflow/tfjs';
import { PATCH_KERNELS, patchesFloats } from '../compiled/convKernels';
import { wasmPatchesOn } from '../compiled/wasmPatches';
import { sizesOf } from './fastWasmConvGradients';
import { heapAddress, heapGemm, heapProductMemory } from './heapGemm';
import { replaceWasmKernel, type WasmHeapBackend } from './wasmKernelSwap';

/**
 * conv2d for the wasm backend as the compiled path's im2col (wasmPatches.ts) and product kernel
 * (heapGemm.ts) on the backend's heap: y[pixels, out] = patches(x)[pixels, taps] · W[taps, out], the filter
 * already that matrix. Measured on the bench CNN's layers against the stock kernel (XNNPACK): see the commit.
 * The product's bits are our kernel's, not XNNPACK's: the same sums in another order, float32 rounding may
 * differ in the last bits (the traces are checked against with a tolerance). NCHW, dilations other than 1,
 * non-float32 tensors, empty convolutions and a heap not found go to the stock kernel.
 */

interface Conv2DAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dilations: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

type Shape4 = [number, number, number, number];

export function installFastWasmConv2D(): void {
  replaceWasmKernel('Conv2D', (stock) => (args) => {
    const { x, filter } = args.inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
    const attrs = args.attrs as unknown as Conv2DAttrs;
    const memory = heapProductMemory(args.backend);
    const dilations = typeof attrs.dilations === 'number' ? [attrs.dilations, attrs.dilations] : attrs.dilations ?? [1, 1];
    const ours = memory && attrs.dataFormat === 'NHWC' && dilations[0] === 1 && dilations[1] === 1 && x.dtype === 'float32' && filter.dtype === 'float32';
    if (!ours || x.shape.length !== 4 || filter.shape.length !== 4) return stock.kernelFunc(args);
    const info = tf.backend_util.computeConv2DInfo(x.shape as Shape4, filter.shape as Shape4, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
    const { pixels, taps, geometry } = sizesOf(info);
    if (pixels === 0 || taps === 0 || info.outChannels === 0) return stock.kernelFunc(args);
    const wasm = args.backend as unknown as WasmHeapBackend;
    const out = wasm.makeOutput([...info.outShape], 'float32');
    const scratch = wasm.makeOutput([patchesFloats(geometry)], 'float32');
    try {
      // After both makeOutputs: the heap may have grown, which detaches earlier views.
      const [image, patches] = [wasm.typedArrayFromHeap(x) as Float32Array, wasm.typedArrayFromHeap(scratch) as Float32Array];
      if (!wasmPatchesOn(memory, 'im2col', image, patches, geometry)) PATCH_KERNELS.im2col(image, patches, geometry);
      heapGemm(memory, patches.byteOffset, heapAddress(wasm, filter), heapAddress(wasm, out), pixels, taps, info.outChannels, false);
      return out;
    } finally {
      wasm.disposeData(scratch.dataId);
    }
  });
}
