/**
 * Matrix products handed to the TensorFlow.js backend (its wasm kernel is SIMD): batchMatMul
 * (standaloneKernels.ts) and the large 2-D product when its operands are not in one program memory
 * (productKernels.ts) use it above BACKEND_MATMUL_MIN on a backend other than cpu.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * Products at least this large (64×64×64) go to the TensorFlow.js backend when
 * it is not the plain-JS cpu one: from about that size the wasm backend's SIMD
 * kernel beats scalar JS, copies and engine work included (`npm run bench`'s
 * MLP row measures it).
 */
export const BACKEND_MATMUL_MIN = 65_536;

export function backendMatMul(
  a: Float32Array, b: Float32Array, out: Float32Array, aBatches: number, bBatches: number,
  m: number, k: number, n: number, transposeA: boolean, transposeB: boolean,
): void {
  // The wasm kernel is several times slower with a transposed operand: transposing in JS
  // first costs much less than that.
  const left = transposeA ? transposed(a, aBatches, k, m, 0) : a;
  const right = transposeB ? transposed(b, bBatches, n, k, 1) : b;
  const product = tf.tidy(() => tf.matMul(tf.tensor3d(left, [aBatches, m, k]), tf.tensor3d(right, [bBatches, k, n])));
  // Every backend here keeps tensors in CPU memory (node, wasm): this read is a copy, not a device sync.
  out.set(product.dataSync());
  product.dispose();
}

/** Two reused scratch arrays for transposed operands (no allocation per call once grown). */
const scratch: Float32Array[] = [new Float32Array(0), new Float32Array(0)];

/** Each of `batches` rows × cols matrices of x, transposed, in scratch[slot]. */
function transposed(x: Float32Array, batches: number, rows: number, cols: number, slot: number): Float32Array {
  if (scratch[slot].length < x.length) scratch[slot] = new Float32Array(x.length);
  const out = scratch[slot].subarray(0, x.length);
  for (let batch = 0; batch < batches; batch++) {
    const base = batch * rows * cols;
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[base + c * rows + r] = x[base + r * cols + c];
  }
  return out;
}
