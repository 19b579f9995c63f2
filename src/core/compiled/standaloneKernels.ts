/**
 * Kernels that are not elementwise, as plain-JS functions on contiguous
 * row-major float32 arrays. The generated program calls them by name.
 */
import * as tf from '@tensorflow/tfjs';
import { CONV_KERNELS } from './convKernels';
import { DEPTHWISE_KERNELS } from './depthwiseKernels';
import { memoryOfAll, wasmBatchedGemm } from './gemmKernels';
import { POOL_KERNELS } from './poolKernels';
import { PRODUCT_KERNELS } from './productKernels';
import { BACKEND_MATMUL_MIN, backendMatMul } from './backendProduct';
import { wasmOuterProduct, wasmVectorProduct } from './vectorProducts';

/** batchMatMul's float64 row of sums, grown when needed and reused (no allocation per call). */
let rowSums = new Float64Array(64);

/**
 * Σ a[ai + p]·b[bi + p] with four partial sums: one running sum waits on the previous add's
 * latency every step, four independent ones overlap.
 */
function dot(a: Float32Array, ai: number, b: Float32Array, bi: number, k: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let p = 0;
  for (; p + 3 < k; p += 4) {
    s0 += a[ai + p] * b[bi + p];
    s1 += a[ai + p + 1] * b[bi + p + 1];
    s2 += a[ai + p + 2] * b[bi + p + 2];
    s3 += a[ai + p + 3] * b[bi + p + 3];
  }
  for (; p < k; p++) s0 += a[ai + p] * b[bi + p];
  return s0 + s1 + (s2 + s3);
}

/**
 * out[i, j] = a[i]·b[j]: a product with k = 1 (a gradient's outer product). Every path below sums it as
 * 0 + a·b (+ 0): the same number, -0 becoming +0, which `+ 0` keeps.
 */
function outerProduct(a: Float32Array, aBase: number, b: Float32Array, bBase: number, out: Float32Array, oBase: number, m: number, n: number): void {
  for (let i = 0; i < m; i++) {
    const ai = a[aBase + i];
    const row = oBase + i * n;
    for (let j = 0; j < n; j++) out[row + j] = ai * b[bBase + j] + 0;
  }
}

/** Each of `batches` rows × cols matrices of x, transposed into `into`. */
function transposeBatches(x: Float32Array, batches: number, rows: number, cols: number, into: Float32Array): void {
  for (let batch = 0; batch < batches; batch++) {
    const base = batch * rows * cols;
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) into[base + c * rows + r] = x[base + r * cols + c];
  }
}

/** out[oBase..+m] = op(a) · b for one batch, op = transpose when asked (the JS form of vectorProducts.ts's). */
function matrixVector(a: Float32Array, aBase: number, b: Float32Array, bBase: number, out: Float32Array, oBase: number, m: number, k: number, transposeA: boolean): void {
  if (!transposeA) {
    for (let i = 0; i < m; i++) out[oBase + i] = dot(a, aBase + i * k, b, bBase, k);
    return;
  }
  // Rows of a scaled by b, four at a time (one read-modify-write of out per four products).
  for (let i = 0; i < m; i++) out[oBase + i] = 0;
  let p = 0;
  for (; p + 3 < k; p += 4) {
    const b0 = b[bBase + p], b1 = b[bBase + p + 1], b2 = b[bBase + p + 2], b3 = b[bBase + p + 3];
    const r0 = aBase + p * m, r1 = r0 + m, r2 = r1 + m, r3 = r2 + m;
    for (let i = 0; i < m; i++) out[oBase + i] += a[r0 + i] * b0 + a[r1 + i] * b1 + a[r2 + i] * b2 + a[r3 + i] * b3;
  }
  for (; p < k; p++) {
    const bp = b[bBase + p];
    const row = aBase + p * m;
    for (let i = 0; i < m; i++) out[oBase + i] += a[row + i] * bp;
  }
}

export const STANDALONE = {
  ...CONV_KERNELS,
  ...DEPTHWISE_KERNELS,
  ...POOL_KERNELS,
  ...PRODUCT_KERNELS,
  /**
   * out[b] = op(a[b]) · op(b[b]), op = transpose when asked; batch dims broadcast when one side has 1.
   * `scratch` (the program's, as many numbers as b when transposeB) takes bᵀ for the WebAssembly product.
   */
  batchMatMul(
    a: Float32Array, b: Float32Array, out: Float32Array,
    batches: number, aBatches: number, bBatches: number,
    m: number, k: number, n: number, transposeA: boolean, transposeB: boolean, scratch?: Float32Array,
  ): void {
    if (batches * m * k * n >= BACKEND_MATMUL_MIN && tf.getBackend() !== 'cpu') {
      // The WebAssembly product over the program's own memory when it applies (no copies, no tensors), else the backend's.
      const right = transposeB ? scratch : b;
      if (right !== undefined && memoryOfAll(a, b, right, out) !== undefined) {
        if (transposeB) transposeBatches(b, bBatches, n, k, right);
        if (wasmBatchedGemm(a, right, out, batches, aBatches, bBatches, m, k, n, transposeA)) return;
      }
      backendMatMul(a, b, out, aBatches, bBatches, m, k, n, transposeA, transposeB);
      return;
    }
    for (let batch = 0; batch < batches; batch++) {
      const aBase = (aBatches === 1 ? 0 : batch) * m * k;
      const bBase = (bBatches === 1 ? 0 : batch) * k * n;
      const oBase = batch * m * n;
      if (k === 1) {
        if (!wasmOuterProduct(a, aBase, b, bBase, out, oBase, m, n)) outerProduct(a, aBase, b, bBase, out, oBase, m, n);
        continue;
      }
      if (n === 1) {
        // Matrix times vector: the row-block loop below would run its inner loop once per step.
        // In a program's memory, WebAssembly with these loops' bits (vectorProducts.ts).
        if (!wasmVectorProduct(a, aBase, b, bBase, out, oBase, m, k, transposeA)) matrixVector(a, aBase, b, bBase, out, oBase, m, k, transposeA);
        continue;
      }
      if (transposeB && !transposeA) {
        // Rows of a against rows of b: both contiguous.
        for (let i = 0; i < m; i++) {
          const aRow = aBase + i * k;
          for (let j = 0; j < n; j++) {
            out[oBase + i * n + j] = dot(a, aRow, b, bBase + j * k, k);
          }
        }
        continue;
      }
      // out row i accumulates a[i, p] · (row p of b), four rows of b at a time: the inner loop runs
      // along contiguous rows and loads and stores out once per four products, not once per product.
      // The row is summed in a float64 scratch row, as tfjs's cpu kernel sums in doubles: summing
      // into the float32 output rounded every partial sum (2e-7 relative off tfjs at k = 300).
      if (rowSums.length < n) rowSums = new Float64Array(n);
      const row = rowSums;
      const aAt = (i: number, p: number) => (transposeA ? a[aBase + p * m + i] : a[aBase + i * k + p]);
      const bAt = (p: number, j: number) => (transposeB ? b[bBase + j * k + p] : b[bBase + p * n + j]);
      for (let i = 0; i < m; i++) {
        const oRow = oBase + i * n;
        for (let j = 0; j < n; j++) row[j] = 0;
        let p = 0;
        if (!transposeB) {
          for (; p + 3 < k; p += 4) {
            const a0 = aAt(i, p), a1 = aAt(i, p + 1), a2 = aAt(i, p + 2), a3 = aAt(i, p + 3);
            const r0 = bBase + p * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
            for (let j = 0; j < n; j++) row[j] += a0 * b[r0 + j] + a1 * b[r1 + j] + a2 * b[r2 + j] + a3 * b[r3 + j];
          }
        }
        for (; p < k; p++) {
          const av = aAt(i, p);
          for (let j = 0; j < n; j++) row[j] += av * bAt(p, j);
        }
        for (let j = 0; j < n; j++) out[oRow + j] = row[j];
      }
    }
  },

  /** Concatenation along an axis: each input contributes `widths[k]` of every `outer` row of the output. */
  concat(inputs: readonly Float32Array[], widths: readonly number[], outer: number, out: Float32Array): void {
    const total = widths.reduce((a, b) => a + b, 0);
    let column = 0;
    inputs.forEach((input, k) => {
      const w = widths[k];
      for (let r = 0; r < outer; r++) out.set(input.subarray(r * w, (r + 1) * w), r * total + column);
      column += w;
    });
  },

  /**
   * tf.cumsum / tf.cumprod along an axis of `len` elements (rows of `inner` apart, `outer` blocks),
   * as the cpu kernel does: each partial result is stored (rounded to float32) before the next.
   * Cumprod is what tfjs's gradient of tf.prod runs.
   */
  cumulative(
    x: Float32Array, out: Float32Array, outer: number, len: number, inner: number,
    exclusive: boolean, reverse: boolean, product: boolean,
  ): void {
    const identity = product ? 1 : 0;
    for (let o = 0; o < outer; o++) {
      for (let r = 0; r < inner; r++) {
        const base = o * len * inner + r;
        const at = (j: number) => base + (reverse ? len - 1 - j : j) * inner;
        for (let j = 0; j < len; j++) {
          const idx = at(j);
          if (j === 0) out[idx] = exclusive ? identity : x[idx];
          else {
            const prev = at(j - 1);
            const term = exclusive ? x[prev] : x[idx];
            out[idx] = product ? term * out[prev] : term + out[prev];
          }
        }
      }
    }
  },

  /** Softmax over the last axis (rows of `width`), shifted by the row maximum as tfjs does. */
  softmax(x: Float32Array, out: Float32Array, width: number): void {
    for (let r = 0; r < x.length; r += width) {
      let max = -Infinity;
      for (let j = 0; j < width; j++) max = Math.max(max, x[r + j]);
      let sum = 0;
      for (let j = 0; j < width; j++) sum += out[r + j] = Math.exp(x[r + j] - max);
      for (let j = 0; j < width; j++) out[r + j] /= sum;
    }
  },
};

export type Standalone = typeof STANDALONE;
