import * as tf from '@tensorflow/tfjs';
import { replaceWasmKernel, type WasmHeapBackend } from './wasmKernelSwap';

/**
 * A Slice kernel for the wasm backend that reads its input in place. The stock
 * kernel (TensorFlow.js 4.22) calls `readSync`, which copies the whole input out
 * of the wasm heap on every slice: 0.4 ms for a slice of a 1e5 vector, where
 * the copy of the slice itself takes 0.01 ms. Objectives slice all the time
 * (Rosenbrock's x[1:], x[:-1]; every parameter of a flat layout), and so do
 * their gradients. Contiguous slices (every 1-D slice, row blocks of matrices)
 * take this path; anything else goes to the stock kernel. Same values, no copy.
 */

export function installFastWasmSlice(): void {
  replaceWasmKernel('Slice', (stock) => (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const { begin, size } = args.attrs as unknown as { begin: number | number[]; size?: number | number[] };
    if (x.dtype === 'string') return stock.kernelFunc(args);
    const [begin_, size_] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
    if (!tf.slice_util.isSliceContinous(x.shape, begin_, size_)) return stock.kernelFunc(args);
    const wasm = args.backend as unknown as WasmHeapBackend;
    const offset = tf.slice_util.computeFlatOffset(begin_, tf.util.computeStrides(x.shape));
    const count = tf.util.sizeFromShape(size_);
    const out = wasm.makeOutput(size_, x.dtype);
    // The heap may grow in makeOutput: take the input's view after it.
    wasm.typedArrayFromHeap(out).set(wasm.typedArrayFromHeap(x).subarray(offset, offset + count));
    return out;
  });
}
