import type * as tf from '@tensorflow/tfjs';
import { wasmGemmOn } from '../compiled/gemmKernels';
import { wasmSimdSupported } from '../wasm/loopModule';
import { heapMemoryOf } from './wasmHeapMemory';
import type { WasmHeapBackend } from './wasmKernelSwap';

/**
 * The compiled path's product kernel (gemmKernels.ts, gemmWasm.ts) on TensorFlow.js wasm backend's heap: the
 * same emitted module instantiated on the heap's unshared memory (wasmGemmOn), fused or not as fusedProducts()
 * says, on the calling thread. Its sums are ours, not XNNPACK's: float32 rounding differs from the stock
 * kernels' in the last bits (the compiled path's agreement check and the tests allow for it).
 */

/** The heap's memory when our product can run on it (SIMD there, the memory found); else undefined. */
export function heapProductMemory(backend: unknown): WebAssembly.Memory | undefined {
  return wasmSimdSupported() ? heapMemoryOf(backend) : undefined;
}

/**
 * t's byte address on the heap. An address stays valid when the heap grows (a view does not), but take it
 * after any allocation that might free or move t (none does: makeOutput only adds).
 */
export function heapAddress(backend: WasmHeapBackend, t: tf.TensorInfo): number {
  return backend.typedArrayFromHeap(t).byteOffset;
}

/** out[m×n] = op(a)[m×k] · b[k×n] at byte addresses on the heap, k ≥ 1 (callers check). */
export function heapGemm(memory: WebAssembly.Memory, a: number, b: number, out: number, m: number, k: number, n: number, transA: boolean): void {
  if (!wasmGemmOn(memory, { a, b, out }, m, k, n, transA)) throw new Error(`heap product ${m}×${k}×${n}: no WebAssembly SIMD`);
}
