import type * as tf from '@tensorflow/tfjs';
import { replaceWasmKernel } from './wasmKernelSwap';

/**
 * An Identity kernel for the wasm backend that shares its input's data, as the cpu backend's does: the
 * stock kernel (TensorFlow.js 4.22) copies every element, and gradients call it on whole activations
 * (tf.clone, the engine's saved tensors: nine copies of each conv layer's activations per value and
 * gradient of the bench's batch-norm CNN). Tensors' data is never written after it is made, so sharing
 * it (the backend counts the references, as its Reshape does) gives the same values. Strings keep the
 * stock kernel.
 */

interface RefCountingBackend {
  incRef(dataId: unknown): void;
}

export function installFastWasmIdentity(): void {
  replaceWasmKernel('Identity', (stock) => (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    if (x.dtype === 'string') return stock.kernelFunc(args);
    (args.backend as unknown as RefCountingBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  });
}
