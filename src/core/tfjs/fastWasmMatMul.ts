import * as tf from '@tensorflow/tfjs';
import { heapAddress, heapGemm, heapProductMemory } from './heapGemm';
import { replaceWasmKernel, type WasmHeapBackend } from './wasmKernelSwap';

/**
 * A BatchMatMul kernel for the wasm backend: float32 products run as the compiled path's product kernel on
 * the backend's heap (heapGemm.ts: 2 × 16 blocks, fused multiply-add where fusedProducts() allows), so
 * their bits are our kernel's, not XNNPACK's: the same product summed in another order, float32 rounding
 * may differ from the stock kernel's in the last bits (the traces are checked against with a tolerance).
 * A transposed a costs nothing (read with strides); a transposed b is first copied transposed by the stock
 * Transpose kernel, since the kernel reads b by rows (the stock kernel runs transposed operands through a
 * plain loop many times slower: bench/README.md, issue 20). Batches: equal, or one side's a single
 * matrix broadcast. Other dtypes, other broadcasts, empty products and a heap not found go to the stock kernel.
 *
 * The kernels are called directly, not through the engine, so a traced program (traceProgram.ts)
 * still sees one BatchMatMul with its transpose attributes.
 */

const count = (shape: readonly number[]) => shape.reduce((x, y) => x * y, 1);

export function installFastWasmMatMul(): void {
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (!transpose) return;
  replaceWasmKernel('BatchMatMul', (stock) => (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    const memory = heapProductMemory(args.backend);
    const plan = memory && a.dtype === 'float32' && b.dtype === 'float32' ? planOf(a.shape, b.shape, transposeA, transposeB) : undefined;
    if (!memory || !plan) return stock.kernelFunc(args);
    const backend = args.backend as unknown as WasmHeapBackend;
    let right = b;
    if (transposeB) {
      const rank = b.shape.length;
      right = transpose.kernelFunc({ inputs: { x: b }, backend: args.backend, attrs: { perm: [...Array(rank - 2).keys(), rank - 1, rank - 2] } }) as tf.TensorInfo;
    }
    try {
      const out = backend.makeOutput(plan.shape, 'float32');
      // Addresses after the last allocation (they survive growth; views would not).
      const [aAt, bAt, outAt] = [heapAddress(backend, a), heapAddress(backend, right), heapAddress(backend, out)];
      const { batches, aBatches, bBatches, m, k, n } = plan;
      for (let s = 0; s < batches; s++) {
        const aFrom = aAt + 4 * (aBatches === 1 ? 0 : s) * m * k;
        const bFrom = bAt + 4 * (bBatches === 1 ? 0 : s) * k * n;
        heapGemm(memory, aFrom, bFrom, outAt + 4 * s * m * n, m, k, n, transposeA);
      }
      return out;
    } finally {
      if (right !== b) backend.disposeData(right.dataId);
    }
  });
}

interface Plan {
  readonly shape: number[];
  readonly batches: number;
  readonly aBatches: number;
  readonly bBatches: number;
  readonly m: number;
  readonly k: number;
  readonly n: number;
}

/** The product's sizes and output shape when our kernel takes it: k ≥ 1, m, n ≥ 1, batches equal or one of them 1. */
function planOf(aShape: readonly number[], bShape: readonly number[], transposeA: boolean, transposeB: boolean): Plan | undefined {
  if (aShape.length < 2 || bShape.length < 2) return undefined;
  const [ar, ac] = aShape.slice(-2);
  const [br, bc] = bShape.slice(-2);
  const [m, k] = transposeA ? [ac, ar] : [ar, ac];
  const [kb, n] = transposeB ? [bc, br] : [br, bc];
  if (k !== kb || m < 1 || k < 1 || n < 1) return undefined;
  const [aOuter, bOuter] = [aShape.slice(0, -2), bShape.slice(0, -2)];
  let outer: number[];
  try {
    outer = tf.broadcast_util.assertAndGetBroadcastShape(aOuter, bOuter);
  } catch {
    return undefined;
  }
  const [batches, aBatches, bBatches] = [count(outer), count(aOuter), count(bOuter)];
  if ((aBatches !== batches && aBatches !== 1) || (bBatches !== batches && bBatches !== 1)) return undefined;
  return { shape: [...outer, m, n], batches, aBatches, bBatches, m, k, n };
}
