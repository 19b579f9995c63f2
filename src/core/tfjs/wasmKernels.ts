import * as tf from '@tensorflow/tfjs';
import { registerWasmDepthwiseGradients } from './wasmDepthwiseKernels';

/**
 * Kernels the wasm backend of TensorFlow.js 4.22 lacks but objectives need.
 * Without UnsortedSegmentSum, the gradient of `gather` (how users pick `p.gather(0)`)
 * throws "Kernel 'UnsortedSegmentSum' not registered for backend 'wasm'".
 * Without Conv2DBackpropFilter, conv2d's filter gradient throws the same way.
 */

/** The part of the wasm backend's API these kernels use. */
interface WasmHeapBackend {
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

let registered = false;

export function registerMissingWasmKernels(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const wasm = backend as unknown as WasmHeapBackend;
      const x = inputs.x as tf.TensorInfo;
      const segmentIds = inputs.segmentIds as tf.TensorInfo;
      const numSegments = (attrs as { numSegments: number }).numSegments;
      const inner = x.shape.slice(1).reduce((a, b) => a * b, 1);
      const out = wasm.makeOutput([numSegments, ...x.shape.slice(1)], x.dtype);
      const xs = wasm.typedArrayFromHeap(x);
      const ids = wasm.typedArrayFromHeap(segmentIds);
      const sums = wasm.typedArrayFromHeap(out);
      sums.fill(0);
      for (let i = 0; i < ids.length; i++) {
        const s = ids[i];
        if (s < 0 || s >= numSegments) continue; // tf semantics: out-of-range ids are dropped
        for (let j = 0; j < inner; j++) sums[s * inner + j] += xs[i * inner + j];
      }
      return out;
    },
  });
  tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2dBackpropFilter });
  registerWasmDepthwiseGradients();
}

/** Conv2DBackpropFilter's attributes as TensorFlow.js passes them (also read by fastWasmConvGradients.ts). */
export interface Conv2DBackpropFilterAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

/** dW[r, c, i, o] = Σ x[b, y·s + r − top, x·s + c − left, i] · dy[b, y, x, o] (NHWC, no dilation). */
const conv2dBackpropFilter: tf.KernelFunc = ({ inputs, attrs, backend }) => {
  const wasm = backend as unknown as WasmHeapBackend;
  const x = inputs.x as tf.TensorInfo;
  const dy = inputs.dy as tf.TensorInfo;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as Conv2DBackpropFilterAttrs;
  if (dataFormat !== 'NHWC') throw new Error(`conv2d filter gradient on wasm supports NHWC only, got ${dataFormat}`);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast',
  );
  const out = wasm.makeOutput(filterShape, 'float32');
  const xs = wasm.typedArrayFromHeap(x);
  const dys = wasm.typedArrayFromHeap(dy);
  const dw = wasm.typedArrayFromHeap(out);
  dw.fill(0);
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, strideHeight, strideWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  for (let r = 0; r < info.filterHeight; r++) {
    for (let c = 0; c < info.filterWidth; c++) {
      for (let b = 0; b < batchSize; b++) {
        for (let oy = 0; oy < outHeight; oy++) {
          const iy = oy * strideHeight + r - top;
          if (iy < 0 || iy >= inHeight) continue;
          for (let ox = 0; ox < outWidth; ox++) {
            const ix = ox * strideWidth + c - left;
            if (ix < 0 || ix >= inWidth) continue;
            const xBase = ((b * inHeight + iy) * inWidth + ix) * inChannels;
            const dyBase = ((b * outHeight + oy) * outWidth + ox) * outChannels;
            for (let i = 0; i < inChannels; i++) {
              const wBase = ((r * info.filterWidth + c) * inChannels + i) * outChannels;
              for (let o = 0; o < outChannels; o++) dw[wBase + o] += xs[xBase + i] * dys[dyBase + o];
            }
          }
        }
      }
    }
  }
  return out;
};
