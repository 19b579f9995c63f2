import * as tf from '@tensorflow/tfjs';

/**
 * How src/core/tfjs/'s faster wasm kernels take a stock kernel's place: what they use of the backend (its
 * heap's views, outputs and frees) and the one way they are registered.
 */

/** The part of the wasm backend's API the replacement kernels use. */
export interface WasmHeapBackend {
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  disposeData(dataId: unknown): void;
}

/** The stock kernels replaced, by name. */
const replaced = new Map<string, tf.KernelConfig>();

/**
 * The wasm backend's kernel `name` replaced by `make(stock)`, which falls back to the stock kernel for what it
 * does not handle; once per process (later calls change nothing). Nothing happens without that kernel.
 */
export function replaceWasmKernel(name: string, make: (stock: tf.KernelConfig) => tf.KernelFunc): void {
  const stock = tf.getKernel(name, 'wasm');
  if (!stock || replaced.has(name)) return;
  replaced.set(name, stock);
  const kernelFunc = make(stock);
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ ...stock, kernelFunc });
}

/** Whether the wasm backend's kernel `name` is now a replacement (not the stock kernel it was). */
export function isReplacedWasmKernel(name: string): boolean {
  const stock = replaced.get(name);
  const now = tf.getKernel(name, 'wasm');
  return stock !== undefined && now !== undefined && now.kernelFunc !== stock.kernelFunc;
}
