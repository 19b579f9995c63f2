import * as tf from '@tensorflow/tfjs';
import { DEPTHWISE_KERNELS } from '../compiled/depthwiseKernels';

/**
 * The wasm backend of TensorFlow.js 4.22 has tf.depthwiseConv2d but neither of its gradient kernels
 * ("Kernel 'DepthwiseConv2dNativeBackpropFilter' not registered for backend 'wasm'"). These run the
 * compiler's own loops (compiled/depthwiseKernels.ts) on the wasm heap, so the tensor path and the
 * compiled path compute the same sums.
 */

/** The part of the wasm backend's API these kernels use. */
interface WasmHeapBackend {
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

interface DepthwiseGradAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape?: [number, number, number, number];
  filterShape?: [number, number, number, number];
}

type Shape4 = [number, number, number, number];

function geometry(xShape: Shape4, filterShape: Shape4, attrs: DepthwiseGradAttrs): number[] {
  // As the cpu kernels: TensorFlow.js's gradient refuses dilations, its kernels compute without them.
  const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, true, 'channelsLast');
  return [
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth, info.outChannels,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, 1, 1, info.padInfo.top, info.padInfo.left,
  ];
}

const backpropInput: tf.KernelFunc = ({ inputs, attrs, backend }) => {
  const wasm = backend as unknown as WasmHeapBackend;
  const dy = inputs.dy as tf.TensorInfo;
  const filter = inputs.filter as tf.TensorInfo;
  const a = attrs as unknown as DepthwiseGradAttrs;
  const xShape = a.inputShape as Shape4;
  const out = wasm.makeOutput(xShape, 'float32');
  // The heap may grow in makeOutput: take the inputs' views after it.
  DEPTHWISE_KERNELS.depthwiseConv2dBackpropInput(wasm.typedArrayFromHeap(dy), wasm.typedArrayFromHeap(filter), wasm.typedArrayFromHeap(out), geometry(xShape, filter.shape as Shape4, a));
  return out;
};

const backpropFilter: tf.KernelFunc = ({ inputs, attrs, backend }) => {
  const wasm = backend as unknown as WasmHeapBackend;
  const x = inputs.x as tf.TensorInfo;
  const dy = inputs.dy as tf.TensorInfo;
  const a = attrs as unknown as DepthwiseGradAttrs;
  const filterShape = a.filterShape as Shape4;
  const out = wasm.makeOutput(filterShape, 'float32');
  DEPTHWISE_KERNELS.depthwiseConv2dBackpropFilter(wasm.typedArrayFromHeap(x), wasm.typedArrayFromHeap(dy), wasm.typedArrayFromHeap(out), geometry(x.shape as Shape4, filterShape, a));
  return out;
};

export function registerWasmDepthwiseGradients(): void {
  for (const [kernelName, kernelFunc] of [['DepthwiseConv2dNativeBackpropInput', backpropInput], ['DepthwiseConv2dNativeBackpropFilter', backpropFilter]] as const) {
    if (!tf.getKernel(kernelName, 'wasm')) tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
  }
}
