/**
 * Large 2-D matrix products (a dense layer's forward and both gradients) on the program's own
 * WebAssembly memory: gemm (gemmKernels.ts) reads its left operand with any strides but its right
 * operand by rows, so a transposed right operand (the input gradient x̄ = ȳ·Wᵀ) is first transposed
 * into a scratch buffer of the program. No tensors, no copies out of the memory, no allocation.
 * Under TensorFlow.js's cpu backend the product stays the plain-JS one that sums in float64, as
 * standaloneKernels.ts's batchMatMul does there.
 */
import * as tf from '@tensorflow/tfjs';
import { backendMatMul } from './backendProduct';
import { gemmJs, memoryOfAll, wasmGemm } from './gemmKernels';
import { wasmTranspose } from './wasmTranspose';

/** bᵀ of the stored rows × cols matrix b, into `into` (cols × rows), in tiles that stay in cache. */
function transposeInto(b: Float32Array, rows: number, cols: number, into: Float32Array): void {
  const TILE = 32;
  for (let r0 = 0; r0 < rows; r0 += TILE) {
    const r1 = Math.min(rows, r0 + TILE);
    for (let c0 = 0; c0 < cols; c0 += TILE) {
      const c1 = Math.min(cols, c0 + TILE);
      for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) into[c * rows + r] = b[r * cols + c];
    }
  }
}

export const PRODUCT_KERNELS = {
  /** out[m×n] = op(a)[m×k] · op(b)[k×n]; `scratch` holds k·n numbers when b is transposed (else it is empty). */
  product(a: Float32Array, b: Float32Array, out: Float32Array, scratch: Float32Array, m: number, k: number, n: number, transA: boolean, transB: boolean): void {
    if (tf.getBackend() === 'cpu') {
      gemmJs(a, b, out, m, k, n, transA, transB);
      return;
    }
    const right = transB ? scratch : b;
    const inProgramMemory = memoryOfAll(a, b, right, out) !== undefined;
    if (transB && inProgramMemory && !wasmTranspose(b, n, k, scratch)) transposeInto(b, n, k, scratch);
    if (inProgramMemory && wasmGemm(a, right, out, m, k, n, transA)) return;
    // A program without WebAssembly loops has no memory: the backend's kernel, as batchMatMul does.
    backendMatMul(a, b, out, 1, 1, m, k, n, transA, transB);
  },
};
