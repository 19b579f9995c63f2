import * as tf from '@tensorflow/tfjs';
import { poolGeometry } from '../compiled/poolCalls';
import { POOL_KERNELS } from '../compiled/poolKernels';

/**
 * Second derivatives through max and average pooling: TensorFlow.js 4.22 registers no gradient for
 * MaxPoolGrad or AvgPoolGrad, so a Hessian-vector product of a CNN with pooling threw. Both are
 * linear in their upstream gradient dy (the input only decides which elements a window picks), so
 * their gradient in dy is their adjoint and in the input it is zero:
 * - AvgPoolGrad spreads dy[o] over window o's elements inside the image, over the whole window's
 *   size (tfjs's rule); its adjoint is avgPool (a mean over those elements) times inside/window.
 * - MaxPoolGrad sends dy[o] to window o's maximum; its adjoint reads each window's maximum's
 *   element: our kernel MaxPoolGradGrad (TensorFlow's name for it), registered here for the cpu and
 *   wasm backends with the compiler's own code (poolKernels.ts), so the two cannot differ.
 */

interface PoolAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

type Shape4 = [number, number, number, number];
type GradFunc = tf.GradConfig['gradFunc'];

export const MAX_POOL_GRAD_GRAD = 'MaxPoolGradGrad';

function poolInfo(xShape: readonly number[], attrs: PoolAttrs): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computePool2DInfo(xShape as Shape4, attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
}

/** The part of the wasm backend's API the kernel uses. */
interface WasmHeapBackend {
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

/** The part of the cpu backend's API the kernel uses. */
interface CpuBackend {
  readSync(dataId: object): Float32Array;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

function kernelConfig(backendName: 'cpu' | 'wasm'): tf.KernelConfig {
  return {
    kernelName: MAX_POOL_GRAD_GRAD,
    backendName,
    kernelFunc: ({ inputs, attrs, backend }) => {
      const x = inputs.input as tf.TensorInfo;
      const grad = inputs.grad as tf.TensorInfo;
      const info = poolInfo(x.shape, attrs as unknown as PoolAttrs);
      const geometry = poolGeometry(info);
      if (backendName === 'wasm') {
        const wasm = backend as unknown as WasmHeapBackend;
        const out = wasm.makeOutput(info.outShape, 'float32');
        // The heap may grow in makeOutput: take the inputs' views after it.
        POOL_KERNELS.maxPoolGradGrad(wasm.typedArrayFromHeap(grad), wasm.typedArrayFromHeap(x), wasm.typedArrayFromHeap(out), geometry);
        return out;
      }
      const cpu = backend as unknown as CpuBackend;
      const values = new Float32Array(tf.util.sizeFromShape(info.outShape));
      POOL_KERNELS.maxPoolGradGrad(cpu.readSync(grad.dataId), cpu.readSync(x.dataId), values, geometry);
      return cpu.makeTensorInfo(info.outShape, 'float32', values);
    },
  };
}

function maxPoolGradGrad(input: tf.Tensor, grad: tf.Tensor, attrs: PoolAttrs): tf.Tensor {
  return tf.engine().runKernel(MAX_POOL_GRAD_GRAD, { input, grad }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
}

/** inside(o) / window for every output position of a pooling (1 where no window crosses the edge), or undefined when all are 1. */
function insideShare(info: tf.backend_util.Conv2DInfo): tf.Tensor | undefined {
  const { outHeight, outWidth, inHeight, inWidth, filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = info;
  const share = new Float32Array(outHeight * outWidth);
  let clipped = false;
  for (let oy = 0; oy < outHeight; oy++) {
    const top = oy * sh - info.padInfo.top;
    const rows = Math.min(inHeight, top + fh) - Math.max(0, top);
    for (let ox = 0; ox < outWidth; ox++) {
      const left = ox * sw - info.padInfo.left;
      const cols = Math.min(inWidth, left + fw) - Math.max(0, left);
      share[oy * outWidth + ox] = (rows * cols) / (fh * fw);
      if (rows * cols !== fh * fw) clipped = true;
    }
  }
  return clipped ? tf.tensor(share, [1, outHeight, outWidth, 1]) : undefined;
}

const gradientConfigs: tf.GradConfig[] = [
  {
    kernelName: 'MaxPoolGrad',
    inputsToSave: ['dy', 'input', 'output'],
    gradFunc: ((ddx: tf.Tensor, [, input, output]: tf.Tensor[], attrs: tf.NamedAttrMap) => ({
      dy: () => maxPoolGradGrad(input, ddx, attrs as unknown as PoolAttrs),
      input: () => tf.zerosLike(input),
      output: () => tf.zerosLike(output),
    })) as GradFunc,
  },
  {
    kernelName: 'AvgPoolGrad',
    inputsToSave: ['input'],
    gradFunc: ((ddx: tf.Tensor, [input]: tf.Tensor[], attrs: tf.NamedAttrMap) => ({
      dy: () => {
        const a = attrs as unknown as PoolAttrs;
        const mean = tf.avgPool(ddx as tf.Tensor4D, a.filterSize, a.strides, a.pad as 'same', a.dimRoundingMode);
        const share = insideShare(poolInfo(input.shape, a));
        return share ? tf.mul(mean, share) : mean;
      },
      input: () => tf.zerosLike(input),
    })) as GradFunc,
  },
];

let registered = false;

/** Registers the gradients of MaxPoolGrad and AvgPoolGrad and the kernel MaxPoolGradGrad (cpu, wasm). */
export function registerPoolSecondOrder(): void {
  if (registered) return;
  registered = true;
  for (const backendName of ['cpu', 'wasm'] as const) tf.registerKernel(kernelConfig(backendName));
  for (const config of gradientConfigs) tf.registerGradient(config);
}
