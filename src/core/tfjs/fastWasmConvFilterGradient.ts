import * as tf from '@tensorflow/tfjs';
import type { Conv2DBackpropFilterAttrs } from './wasmKernels';

/**
 * Conv2DBackpropFilter for the wasm backend as im2col and one product of the backend's own kernels:
 * dW[taps, out] = patches(x)ᵀ[taps, pixels] · dy[pixels, out]. TF.js 4.22's wasm backend has no
 * such kernel; wasmKernels.ts registers a plain-JS loop over every tap, pixel and channel, which was
 * most of a conv layer's gradient in every tensor-path step and in every trace of a compile
 * (figures: bench/README.md, issue 20). Here the patches are gathered in
 * JS (one copy of the input per tap) and the product is the registered BatchMatMul's (its stock
 * untransposed product after fastWasmMatMul.ts' transpose), summed in that kernel's order.
 * NCHW, dilations and string tensors go to the kernel it replaces.
 */

interface WasmHeapBackend {
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  disposeData(dataId: unknown): void;
}

let installed = false;

/** After registerMissingWasmKernels (the kernel this one falls back to). */
export function installFastWasmConvFilterGradient(): void {
  if (installed) return;
  const previous = tf.getKernel('Conv2DBackpropFilter', 'wasm');
  if (!previous || !tf.getKernel('BatchMatMul', 'wasm')) return;
  installed = true;
  const kernelFunc: tf.KernelFunc = (args) => {
    const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const attrs = args.attrs as unknown as Conv2DBackpropFilterAttrs;
    if (attrs.dataFormat !== 'NHWC' || x.dtype !== 'float32' || dy.dtype !== 'float32') return previous.kernelFunc(args);
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number], attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast',
    );
    const wasm = args.backend as unknown as WasmHeapBackend;
    const pixels = info.batchSize * info.outHeight * info.outWidth;
    const taps = info.filterHeight * info.filterWidth * info.inChannels;
    const patches = wasm.makeOutput([pixels, taps], 'float32');
    try {
      // After makeOutput: the heap may have grown, which detaches earlier views.
      gatherPatches(wasm.typedArrayFromHeap(x) as Float32Array, wasm.typedArrayFromHeap(patches) as Float32Array, info);
      const product = (tf.getKernel('BatchMatMul', 'wasm') as tf.KernelConfig).kernelFunc({
        inputs: { a: patches, b: { dataId: dy.dataId, shape: [pixels, info.outChannels], dtype: dy.dtype } },
        backend: args.backend,
        attrs: { transposeA: true, transposeB: false },
      }) as tf.TensorInfo;
      return { dataId: product.dataId, shape: [...attrs.filterShape], dtype: 'float32' };
    } finally {
      wasm.disposeData(patches.dataId);
    }
  };
  tf.unregisterKernel('Conv2DBackpropFilter', 'wasm');
  tf.registerKernel({ ...previous, kernelFunc });
}

/** patches[(b, oy, ox), (r, c, i)] = x[b, oy·sh + r − top, ox·sw + c − left, i], 0 outside the image. */
function gatherPatches(x: Float32Array, patches: Float32Array, info: tf.backend_util.Conv2DInfo): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  let at = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        for (let r = 0; r < filterHeight; r++) {
          const iy = oy * strideHeight + r - top;
          for (let c = 0; c < filterWidth; c++, at += inChannels) {
            const ix = ox * strideWidth + c - left;
            if (iy < 0 || iy >= inHeight || ix < 0 || ix >= inWidth) {
              patches.fill(0, at, at + inChannels);
              continue;
            }
            const from = ((b * inHeight + iy) * inWidth + ix) * inChannels;
            for (let i = 0; i < inChannels; i++) patches[at + i] = x[from + i];
          }
        }
      }
    }
  }
}
